//! The LATC file format: the only code that reads or writes `.latc` bytes.
//!
//! ```text
//! file     := "LATC" u16:version u16:reserved(0) "\x19\x93\r\n\x1a\n" function
//! function := str:name u16:nparams param* u8:has_ret [str:ret]
//!             u32:nconst const* u32:ncode_bytes code_bytes
//!             u32:nruns (u32:instructions i32:line_delta)* u16:nupvals str*
//!             u32:nlocals (u16:slot str:name u32:start u32:end)* u32:max_stack
//! param    := str:name u8:flags(1 default, 2 variadic, 4 typed) [str:type]
//! const    := u8:tag payload   (0 Int i64 | 1 Float f64 bits | 2 Str str | 3 Names u32 str*
//!                               | 4 Function function | 5 Struct | 6 Enum)
//! str      := u32:len utf8-bytes
//! ```
//! Everything is little-endian. Decoding is a trust boundary: every length is checked
//! against the bytes left, nesting is bounded, and each function is verified
//! (`verify.rs`) before it can run, so a hostile file gives an error, never a panic.

use crate::module::{Constant, EnumDef, Function, LocalName, ParamInfo, StructDef};
use crate::opcode::{Op, FORMAT_VERSION};
use crate::value::Phase;
use byteorder::{LittleEndian as LE, ReadBytesExt, WriteBytesExt};
use std::fmt;
use std::io::{Cursor, Read};
use std::sync::Arc;

pub const MAGIC: &[u8; 4] = b"LATC";
/// Lua-style check bytes: catch files mangled by text-mode transfers.
pub const CHECK: &[u8; 6] = b"\x19\x93\r\n\x1a\n";
const MAX_NESTING: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    pub offset: u64,
    pub message: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

/// Serialises a function tree. Deterministic: the same function gives the same bytes.
pub fn encode(f: &Function) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(CHECK);
    write_function(&mut out, f);
    out
}

fn write_str(out: &mut Vec<u8>, s: &str) {
    let _ = out.write_u32::<LE>(s.len() as u32);
    out.extend_from_slice(s.as_bytes());
}

fn write_function(out: &mut Vec<u8>, f: &Function) {
    write_str(out, &f.name);
    let _ = out.write_u16::<LE>(f.params.len() as u16);
    for p in &f.params {
        write_str(out, &p.name);
        let flags = p.has_default as u8 | (p.variadic as u8) << 1 | (p.ty.is_some() as u8) << 2;
        out.push(flags);
        if let Some(t) = &p.ty {
            write_str(out, t);
        }
    }
    out.push(f.ret_type.is_some() as u8);
    if let Some(t) = &f.ret_type {
        write_str(out, t);
    }
    let _ = out.write_u32::<LE>(f.constants.len() as u32);
    for c in &f.constants {
        write_constant(out, c);
    }
    let mut code = Vec::new();
    for op in &f.code {
        op.encode(&mut code);
    }
    let _ = out.write_u32::<LE>(code.len() as u32);
    out.extend_from_slice(&code);
    let runs = line_runs(&f.lines);
    let _ = out.write_u32::<LE>(runs.len() as u32);
    let mut prev = 0i64;
    for (count, line) in runs {
        let _ = out.write_u32::<LE>(count);
        let _ = out.write_i32::<LE>((line as i64 - prev) as i32);
        prev = line as i64;
    }
    let _ = out.write_u16::<LE>(f.upval_names.len() as u16);
    for n in &f.upval_names {
        write_str(out, n);
    }
    let _ = out.write_u32::<LE>(f.local_names.len() as u32);
    for l in &f.local_names {
        let _ = out.write_u16::<LE>(l.slot);
        write_str(out, &l.name);
        let _ = out.write_u32::<LE>(l.start);
        let _ = out.write_u32::<LE>(l.end);
    }
    let _ = out.write_u32::<LE>(f.max_stack);
}

/// Runs of equal lines: (instruction count, line).
fn line_runs(lines: &[u32]) -> Vec<(u32, u32)> {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &l in lines {
        match runs.last_mut() {
            Some((n, line)) if *line == l => *n += 1,
            _ => runs.push((1, l)),
        }
    }
    runs
}

fn phase_byte(p: Option<Phase>) -> u8 {
    p.map_or(0xFF, |p| p as u8)
}

fn write_constant(out: &mut Vec<u8>, c: &Constant) {
    match c {
        Constant::Int(n) => {
            out.push(0);
            let _ = out.write_i64::<LE>(*n);
        }
        Constant::Float(f) => {
            out.push(1);
            let _ = out.write_u64::<LE>(f.to_bits());
        }
        Constant::Str(s) => {
            out.push(2);
            write_str(out, s);
        }
        Constant::Names(names) => {
            out.push(3);
            let _ = out.write_u32::<LE>(names.len() as u32);
            for n in names {
                write_str(out, n);
            }
        }
        Constant::Function(f) => {
            out.push(4);
            write_function(out, f);
        }
        Constant::Struct(d) => {
            out.push(5);
            write_str(out, &d.name);
            let _ = out.write_u32::<LE>(d.fields.len() as u32);
            for (i, name) in d.fields.iter().enumerate() {
                write_str(out, name);
                let ty = d.field_types.get(i).cloned().flatten();
                out.push(ty.is_some() as u8);
                if let Some(t) = ty {
                    write_str(out, &t);
                }
                out.push(phase_byte(d.field_phases.get(i).copied().flatten()));
            }
        }
        Constant::Enum(d) => {
            out.push(6);
            write_str(out, &d.name);
            let _ = out.write_u32::<LE>(d.variants.len() as u32);
            for (name, arity) in &d.variants {
                write_str(out, name);
                out.push(arity.is_some() as u8);
                let _ = out.write_u16::<LE>(arity.unwrap_or(0));
            }
        }
    }
}

/// Reads and verifies a LATC file.
pub fn decode(bytes: &[u8]) -> Result<Function, FormatError> {
    let mut r = Reader { cur: Cursor::new(bytes), len: bytes.len() as u64 };
    let mut magic = [0u8; 4];
    r.bytes(&mut magic)?;
    if &magic != MAGIC {
        return Err(r.error("not a LATC file (bad magic)"));
    }
    let version = r.u16()?;
    if version != FORMAT_VERSION {
        return Err(r.error(&format!("unsupported LATC version {version} (this VM reads {FORMAT_VERSION})")));
    }
    let _reserved = r.u16()?;
    let mut check = [0u8; 6];
    r.bytes(&mut check)?;
    if &check != CHECK {
        return Err(r.error("corrupt header (check bytes differ: was the file converted as text?)"));
    }
    let f = r.function(0)?;
    if r.cur.position() != r.len {
        return Err(r.error("trailing bytes after the program"));
    }
    Ok(f)
}

struct Reader<'a> {
    cur: Cursor<&'a [u8]>,
    len: u64,
}

impl Reader<'_> {
    fn error(&self, message: &str) -> FormatError {
        FormatError { offset: self.cur.position(), message: message.to_string() }
    }

    fn truncated<T>(&self, _: std::io::Error) -> Result<T, FormatError> {
        Err(self.error("file is truncated"))
    }

    fn bytes(&mut self, buf: &mut [u8]) -> Result<(), FormatError> {
        match self.cur.read_exact(buf) {
            Ok(()) => Ok(()),
            Err(e) => self.truncated(e),
        }
    }

    fn u8(&mut self) -> Result<u8, FormatError> {
        self.cur.read_u8().or_else(|e| self.truncated(e))
    }
    fn u16(&mut self) -> Result<u16, FormatError> {
        self.cur.read_u16::<LE>().or_else(|e| self.truncated(e))
    }
    fn u32(&mut self) -> Result<u32, FormatError> {
        self.cur.read_u32::<LE>().or_else(|e| self.truncated(e))
    }
    fn i32(&mut self) -> Result<i32, FormatError> {
        self.cur.read_i32::<LE>().or_else(|e| self.truncated(e))
    }
    fn i64(&mut self) -> Result<i64, FormatError> {
        self.cur.read_i64::<LE>().or_else(|e| self.truncated(e))
    }
    fn u64(&mut self) -> Result<u64, FormatError> {
        self.cur.read_u64::<LE>().or_else(|e| self.truncated(e))
    }

    /// A count of items of at least `min_size` bytes each, refused when the file is too
    /// short to hold them (so a hostile count cannot make us allocate).
    fn count(&mut self, n: u64, min_size: u64) -> Result<usize, FormatError> {
        let left = self.len - self.cur.position();
        if n.saturating_mul(min_size) > left {
            return Err(self.error("length exceeds the file size"));
        }
        Ok(n as usize)
    }

    fn string(&mut self) -> Result<String, FormatError> {
        let n = self.u32()? as u64;
        let n = self.count(n, 1)?;
        let mut buf = vec![0u8; n];
        self.bytes(&mut buf)?;
        String::from_utf8(buf).map_err(|_| self.error("string is not valid UTF-8"))
    }

    fn function(&mut self, depth: usize) -> Result<Function, FormatError> {
        if depth > MAX_NESTING {
            return Err(self.error("functions nested too deeply"));
        }
        let mut f = Function { name: self.string()?, ..Function::default() };
        let np = self.u16()? as u64;
        for _ in 0..self.count(np, 5)? {
            let name = self.string()?;
            let flags = self.u8()?;
            let ty = if flags & 4 != 0 { Some(self.string()?) } else { None };
            f.params.push(ParamInfo { name, ty, has_default: flags & 1 != 0, variadic: flags & 2 != 0 });
        }
        if self.u8()? != 0 {
            f.ret_type = Some(self.string()?);
        }
        let nc = self.u32()? as u64;
        for _ in 0..self.count(nc, 1)? {
            let c = self.constant(depth)?;
            f.constants.push(c);
        }
        let ncode = self.u32()? as u64;
        let ncode = self.count(ncode, 1)?;
        let start = self.cur.position() as usize;
        let code_bytes = &self.cur.get_ref()[start..start + ncode];
        let mut pos = 0;
        while pos < code_bytes.len() {
            let op = Op::decode(code_bytes, &mut pos)
                .map_err(|e| FormatError { offset: (start + pos) as u64, message: e.to_string() })?;
            f.code.push(op);
        }
        self.cur.set_position((start + ncode) as u64);
        let nruns = self.u32()? as u64;
        let mut line = 0i64;
        for _ in 0..self.count(nruns, 8)? {
            let n = self.u32()? as u64;
            line += self.i32()? as i64;
            if f.lines.len() as u64 + n > f.code.len() as u64 {
                return Err(self.error("line table longer than the code"));
            }
            f.lines.extend(std::iter::repeat_n(line.clamp(0, u32::MAX as i64) as u32, n as usize));
        }
        if f.lines.len() != f.code.len() {
            return Err(self.error("line table does not cover the code"));
        }
        let nu = self.u16()? as u64;
        for _ in 0..self.count(nu, 4)? {
            let s = self.string()?;
            f.upval_names.push(s);
        }
        let nl = self.u32()? as u64;
        for _ in 0..self.count(nl, 14)? {
            let slot = self.u16()?;
            let name = self.string()?;
            let (s, e) = (self.u32()?, self.u32()?);
            f.local_names.push(LocalName { slot, name, start: s, end: e });
        }
        f.max_stack = self.u32()?;
        crate::verify::verify(&f).map_err(|m| self.error(&format!("invalid code in '{}': {m}", f.name)))?;
        Ok(f)
    }

    fn constant(&mut self, depth: usize) -> Result<Constant, FormatError> {
        Ok(match self.u8()? {
            0 => Constant::Int(self.i64()?),
            1 => Constant::Float(f64::from_bits(self.u64()?)),
            2 => Constant::Str(Arc::new(self.string()?)),
            3 => {
                let n = self.u32()? as u64;
                let mut names = Vec::new();
                for _ in 0..self.count(n, 4)? {
                    names.push(self.string()?);
                }
                Constant::Names(names)
            }
            4 => Constant::Function(Arc::new(self.function(depth + 1)?)),
            5 => {
                let mut d = StructDef { name: self.string()?, ..StructDef::default() };
                let n = self.u32()? as u64;
                for _ in 0..self.count(n, 6)? {
                    d.fields.push(self.string()?);
                    let ty = if self.u8()? != 0 { Some(self.string()?) } else { None };
                    d.field_types.push(ty);
                    let p = self.u8()?;
                    d.field_phases.push(if p == 0xFF {
                        None
                    } else {
                        Some(Phase::from_u8(p).ok_or_else(|| self.error("bad phase byte"))?)
                    });
                }
                Constant::Struct(Arc::new(d))
            }
            6 => {
                let mut d = EnumDef { name: self.string()?, ..EnumDef::default() };
                let n = self.u32()? as u64;
                for _ in 0..self.count(n, 7)? {
                    let name = self.string()?;
                    let has = self.u8()? != 0;
                    let arity = self.u16()?;
                    d.variants.push((name, has.then_some(arity)));
                }
                Constant::Enum(Arc::new(d))
            }
            t => return Err(self.error(&format!("unknown constant tag {t}"))),
        })
    }
}
