//! The tokens of Lattice, and the logos state machine that recognises most of them.
//!
//! logos handles everything that a regular language can: keywords, identifiers, numbers,
//! operators, comments and whitespace. String literals are not regular (they nest through
//! `${...}` interpolation), so logos only reports their opening quote and the hand-written
//! driver in `lexer.rs` scans the rest; the string tokens below that carry a table index
//! (`Str`, `InterpStart`, ...) are produced by that driver, never by logos itself.
//!
//! Words that are keywords only in one position (`where`, `except`, `require`, `ensure`,
//! `select`, `default`, `timeout`, `fluid`, `crystal`, `sublimated`) stay identifiers here,
//! as in the reference implementation, so programs may still use them as names. `print` is
//! an ordinary builtin name, not a keyword.

use logos::Logos;
use std::fmt;

/// Why logos could not produce a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LexErrorKind {
    /// A character that starts no token.
    #[default]
    UnexpectedChar,
    /// An integer literal that does not fit in 64 bits.
    IntOutOfRange,
    /// `/*` without its closing `*/`.
    UnterminatedComment,
    /// `#` not followed by `mode strict` or `mode casual`.
    BadDirective,
}

/// One token. Identifiers borrow their text from the source; numbers are already decoded;
/// string pieces point into the lexer's table of decoded strings.
#[derive(Logos, Debug, Clone, Copy, PartialEq)]
#[logos(error = LexErrorKind)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
pub enum Token<'src> {
    // Keywords.
    #[token("flux")]
    Flux,
    #[token("fix")]
    Fix,
    #[token("let")]
    Let,
    #[token("freeze")]
    Freeze,
    #[token("thaw")]
    Thaw,
    #[token("forge")]
    Forge,
    #[token("anneal")]
    Anneal,
    #[token("crystallize")]
    Crystallize,
    #[token("borrow")]
    Borrow,
    #[token("sublimate")]
    Sublimate,
    #[token("clone")]
    Clone,
    #[token("fn")]
    Fn,
    #[token("struct")]
    Struct,
    #[token("enum")]
    Enum,
    #[token("trait")]
    Trait,
    #[token("impl")]
    Impl,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("for")]
    For,
    #[token("in")]
    In,
    #[token("while")]
    While,
    #[token("loop")]
    Loop,
    #[token("return")]
    Return,
    #[token("break")]
    Break,
    #[token("continue")]
    Continue,
    #[token("match")]
    Match,
    #[token("try")]
    Try,
    #[token("catch")]
    Catch,
    #[token("scope")]
    Scope,
    #[token("spawn")]
    Spawn,
    #[token("defer")]
    Defer,
    #[token("import")]
    Import,
    #[token("from")]
    From,
    #[token("as")]
    As,
    #[token("export")]
    Export,
    #[token("test")]
    Test,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("nil")]
    Nil,

    /// `#mode strict` / `#mode casual`; the payload is true for strict.
    #[regex(r"#[A-Za-z_]*", mode_directive)]
    Mode(bool),

    #[regex("[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice())]
    Ident(&'src str),
    #[regex("[0-9][0-9_]*", |lex| decimal_int(lex.slice()))]
    #[regex("0[xX][0-9a-fA-F_]+", |lex| hex_int(lex.slice()))]
    Int(i64),
    #[regex(r"[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9_]+)?", |lex| float(lex.slice()))]
    #[regex(r"[0-9][0-9_]*[eE][+-]?[0-9_]+", |lex| float(lex.slice()))]
    Float(f64),

    /// `"`, `"""` or `'`: the driver scans the string body and replaces this token.
    #[token("\"")]
    #[token("\"\"\"")]
    #[token("'")]
    Quote,
    /// A string without interpolation; the index points into the decoded-string table.
    Str(u32),
    /// `"text${`: the literal text before the first interpolation.
    InterpStart(u32),
    /// `}text${`: text between two interpolations.
    InterpMid(u32),
    /// `}text"`: text after the last interpolation.
    InterpEnd(u32),
    /// `/// text`: kept so the parser can attach documentation to items.
    #[regex(r"///[^\n]*", priority = 5, allow_greedy = true)]
    DocComment,
    /// `/* ... */`, which nests; the callback skips it.
    #[token("/*", block_comment)]
    BlockComment,

    // Operators and punctuation.
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("=")]
    Eq,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("<=")]
    LtEq,
    #[token(">=")]
    GtEq,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("!")]
    Bang,
    #[token("~")]
    Tilde,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,
    #[token("+=")]
    PlusEq,
    #[token("-=")]
    MinusEq,
    #[token("*=")]
    StarEq,
    #[token("/=")]
    SlashEq,
    #[token("%=")]
    PercentEq,
    #[token("&=")]
    AmpEq,
    #[token("|=")]
    PipeEq,
    #[token("^=")]
    CaretEq,
    #[token("<<=")]
    ShlEq,
    #[token(">>=")]
    ShrEq,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("...")]
    DotDotDot,
    #[token("->")]
    Arrow,
    #[token("=>")]
    FatArrow,
    #[token("??")]
    QuestionQuestion,
    #[token("?.")]
    QuestionDot,
    #[token("?[")]
    QuestionBracket,
    #[token("?")]
    Question,
    #[token("@")]
    At,
    #[token("::")]
    ColonColon,
    #[token(":")]
    Colon,
    #[token(",")]
    Comma,
    #[token(";")]
    Semicolon,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,

    /// Text that starts no token; the lexer has reported it.
    Error,
}

fn decimal_int(text: &str) -> Result<i64, LexErrorKind> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    digits.parse().map_err(|_| LexErrorKind::IntOutOfRange)
}

fn hex_int(text: &str) -> Result<i64, LexErrorKind> {
    let digits: String = text[2..].chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return Err(LexErrorKind::UnexpectedChar);
    }
    i64::from_str_radix(&digits, 16).map_err(|_| LexErrorKind::IntOutOfRange)
}

/// Floats parse with Rust's correctly rounded `str::parse`, so every compiler that follows
/// the same rule gets the same bits.
fn float(text: &str) -> Result<f64, LexErrorKind> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    digits.parse().map_err(|_| LexErrorKind::UnexpectedChar)
}

fn mode_directive<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<bool, LexErrorKind> {
    if lex.slice() != "#mode" {
        return Err(LexErrorKind::BadDirective);
    }
    let rest = lex.remainder();
    let trimmed = rest.trim_start_matches([' ', '\t']);
    let skipped = rest.len() - trimmed.len();
    let word_len = trimmed.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    let strict = match &trimmed[..word_len] {
        "strict" => true,
        "casual" => false,
        _ => return Err(LexErrorKind::BadDirective),
    };
    lex.bump(skipped + word_len);
    Ok(strict)
}

/// Skips a block comment, counting nested `/* */` pairs as the reference does.
fn block_comment<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> logos::FilterResult<(), LexErrorKind> {
    let rest = lex.remainder().as_bytes();
    match nested_comment_len(rest) {
        Some(len) => {
            lex.bump(len);
            logos::FilterResult::Skip
        }
        None => {
            lex.bump(rest.len());
            logos::FilterResult::Error(LexErrorKind::UnterminatedComment)
        }
    }
}

/// The length of the rest of a block comment whose opening `/*` is just before `rest`,
/// through its matching `*/` (nested pairs count); `None` when it is never closed.
pub(crate) fn nested_comment_len(rest: &[u8]) -> Option<usize> {
    let mut depth = 1usize;
    let mut i = 0;
    while i < rest.len() {
        match (rest[i], rest.get(i + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                i += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// The kind of a token without its payload: what `tokenize` reports and what error
/// messages name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TokenKind {
    Flux,
    Fix,
    Let,
    Freeze,
    Thaw,
    Forge,
    Anneal,
    Crystallize,
    Borrow,
    Sublimate,
    Clone,
    Fn,
    Struct,
    Enum,
    Trait,
    Impl,
    If,
    Else,
    For,
    In,
    While,
    Loop,
    Return,
    Break,
    Continue,
    Match,
    Try,
    Catch,
    Scope,
    Spawn,
    Defer,
    Import,
    From,
    As,
    Export,
    Test,
    True,
    False,
    Nil,
    Mode,
    Ident,
    Int,
    Float,
    Str,
    InterpStart,
    InterpMid,
    InterpEnd,
    DocComment,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Eq,
    EqEq,
    NotEq,
    Lt,
    Gt,
    LtEq,
    GtEq,
    AndAnd,
    OrOr,
    Bang,
    Tilde,
    Amp,
    Pipe,
    Caret,
    Shl,
    Shr,
    PlusEq,
    MinusEq,
    StarEq,
    SlashEq,
    PercentEq,
    AmpEq,
    PipeEq,
    CaretEq,
    ShlEq,
    ShrEq,
    Dot,
    DotDot,
    DotDotDot,
    Arrow,
    FatArrow,
    QuestionQuestion,
    QuestionDot,
    QuestionBracket,
    Question,
    At,
    ColonColon,
    Colon,
    Comma,
    Semicolon,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Error,
    /// The end of the input (only in error messages).
    Eof,
}

impl Token<'_> {
    pub fn kind(&self) -> TokenKind {
        use TokenKind as K;
        match self {
            Token::Flux => K::Flux,
            Token::Fix => K::Fix,
            Token::Let => K::Let,
            Token::Freeze => K::Freeze,
            Token::Thaw => K::Thaw,
            Token::Forge => K::Forge,
            Token::Anneal => K::Anneal,
            Token::Crystallize => K::Crystallize,
            Token::Borrow => K::Borrow,
            Token::Sublimate => K::Sublimate,
            Token::Clone => K::Clone,
            Token::Fn => K::Fn,
            Token::Struct => K::Struct,
            Token::Enum => K::Enum,
            Token::Trait => K::Trait,
            Token::Impl => K::Impl,
            Token::If => K::If,
            Token::Else => K::Else,
            Token::For => K::For,
            Token::In => K::In,
            Token::While => K::While,
            Token::Loop => K::Loop,
            Token::Return => K::Return,
            Token::Break => K::Break,
            Token::Continue => K::Continue,
            Token::Match => K::Match,
            Token::Try => K::Try,
            Token::Catch => K::Catch,
            Token::Scope => K::Scope,
            Token::Spawn => K::Spawn,
            Token::Defer => K::Defer,
            Token::Import => K::Import,
            Token::From => K::From,
            Token::As => K::As,
            Token::Export => K::Export,
            Token::Test => K::Test,
            Token::True => K::True,
            Token::False => K::False,
            Token::Nil => K::Nil,
            Token::Mode(_) => K::Mode,
            Token::Ident(_) => K::Ident,
            Token::Int(_) => K::Int,
            Token::Float(_) => K::Float,
            Token::Quote | Token::Str(_) => K::Str,
            Token::InterpStart(_) => K::InterpStart,
            Token::InterpMid(_) => K::InterpMid,
            Token::InterpEnd(_) => K::InterpEnd,
            Token::DocComment | Token::BlockComment => K::DocComment,
            Token::Plus => K::Plus,
            Token::Minus => K::Minus,
            Token::Star => K::Star,
            Token::Slash => K::Slash,
            Token::Percent => K::Percent,
            Token::Eq => K::Eq,
            Token::EqEq => K::EqEq,
            Token::NotEq => K::NotEq,
            Token::Lt => K::Lt,
            Token::Gt => K::Gt,
            Token::LtEq => K::LtEq,
            Token::GtEq => K::GtEq,
            Token::AndAnd => K::AndAnd,
            Token::OrOr => K::OrOr,
            Token::Bang => K::Bang,
            Token::Tilde => K::Tilde,
            Token::Amp => K::Amp,
            Token::Pipe => K::Pipe,
            Token::Caret => K::Caret,
            Token::Shl => K::Shl,
            Token::Shr => K::Shr,
            Token::PlusEq => K::PlusEq,
            Token::MinusEq => K::MinusEq,
            Token::StarEq => K::StarEq,
            Token::SlashEq => K::SlashEq,
            Token::PercentEq => K::PercentEq,
            Token::AmpEq => K::AmpEq,
            Token::PipeEq => K::PipeEq,
            Token::CaretEq => K::CaretEq,
            Token::ShlEq => K::ShlEq,
            Token::ShrEq => K::ShrEq,
            Token::Dot => K::Dot,
            Token::DotDot => K::DotDot,
            Token::DotDotDot => K::DotDotDot,
            Token::Arrow => K::Arrow,
            Token::FatArrow => K::FatArrow,
            Token::QuestionQuestion => K::QuestionQuestion,
            Token::QuestionDot => K::QuestionDot,
            Token::QuestionBracket => K::QuestionBracket,
            Token::Question => K::Question,
            Token::At => K::At,
            Token::ColonColon => K::ColonColon,
            Token::Colon => K::Colon,
            Token::Comma => K::Comma,
            Token::Semicolon => K::Semicolon,
            Token::LParen => K::LParen,
            Token::RParen => K::RParen,
            Token::LBrace => K::LBrace,
            Token::RBrace => K::RBrace,
            Token::LBracket => K::LBracket,
            Token::RBracket => K::RBracket,
            Token::Error => K::Error,
        }
    }

    /// The keyword's spelling, for keywords; they may still serve as field and method
    /// names after `.` and `::`.
    pub fn keyword_text(&self) -> Option<&'static str> {
        let kind = self.kind();
        if (kind as u8) <= TokenKind::Nil as u8 {
            Some(kind.describe())
        } else {
            None
        }
    }
}

impl TokenKind {
    /// How an error message names this kind of token.
    pub fn describe(self) -> &'static str {
        use TokenKind as K;
        match self {
            K::Flux => "flux",
            K::Fix => "fix",
            K::Let => "let",
            K::Freeze => "freeze",
            K::Thaw => "thaw",
            K::Forge => "forge",
            K::Anneal => "anneal",
            K::Crystallize => "crystallize",
            K::Borrow => "borrow",
            K::Sublimate => "sublimate",
            K::Clone => "clone",
            K::Fn => "fn",
            K::Struct => "struct",
            K::Enum => "enum",
            K::Trait => "trait",
            K::Impl => "impl",
            K::If => "if",
            K::Else => "else",
            K::For => "for",
            K::In => "in",
            K::While => "while",
            K::Loop => "loop",
            K::Return => "return",
            K::Break => "break",
            K::Continue => "continue",
            K::Match => "match",
            K::Try => "try",
            K::Catch => "catch",
            K::Scope => "scope",
            K::Spawn => "spawn",
            K::Defer => "defer",
            K::Import => "import",
            K::From => "from",
            K::As => "as",
            K::Export => "export",
            K::Test => "test",
            K::True => "true",
            K::False => "false",
            K::Nil => "nil",
            K::Mode => "#mode",
            K::Ident => "identifier",
            K::Int => "integer",
            K::Float => "float",
            K::Str => "string",
            K::InterpStart => "string",
            K::InterpMid => "`}`",
            K::InterpEnd => "`}`",
            K::DocComment => "doc comment",
            K::Plus => "+",
            K::Minus => "-",
            K::Star => "*",
            K::Slash => "/",
            K::Percent => "%",
            K::Eq => "=",
            K::EqEq => "==",
            K::NotEq => "!=",
            K::Lt => "<",
            K::Gt => ">",
            K::LtEq => "<=",
            K::GtEq => ">=",
            K::AndAnd => "&&",
            K::OrOr => "||",
            K::Bang => "!",
            K::Tilde => "~",
            K::Amp => "&",
            K::Pipe => "|",
            K::Caret => "^",
            K::Shl => "<<",
            K::Shr => ">>",
            K::PlusEq => "+=",
            K::MinusEq => "-=",
            K::StarEq => "*=",
            K::SlashEq => "/=",
            K::PercentEq => "%=",
            K::AmpEq => "&=",
            K::PipeEq => "|=",
            K::CaretEq => "^=",
            K::ShlEq => "<<=",
            K::ShrEq => ">>=",
            K::Dot => ".",
            K::DotDot => "..",
            K::DotDotDot => "...",
            K::Arrow => "->",
            K::FatArrow => "=>",
            K::QuestionQuestion => "??",
            K::QuestionDot => "?.",
            K::QuestionBracket => "?[",
            K::Question => "?",
            K::At => "@",
            K::ColonColon => "::",
            K::Colon => ":",
            K::Comma => ",",
            K::Semicolon => ";",
            K::LParen => "(",
            K::RParen => ")",
            K::LBrace => "{",
            K::RBrace => "}",
            K::LBracket => "[",
            K::RBracket => "]",
            K::Error => "invalid token",
            K::Eof => "end of file",
        }
    }

    /// Punctuation is quoted in messages (`expected ')'`); words are not.
    pub fn quoted(self) -> String {
        let text = self.describe();
        match self {
            TokenKind::Ident
            | TokenKind::Int
            | TokenKind::Float
            | TokenKind::Str
            | TokenKind::InterpStart
            | TokenKind::InterpMid
            | TokenKind::InterpEnd
            | TokenKind::DocComment
            | TokenKind::Error
            | TokenKind::Eof => text.to_string(),
            _ => format!("'{text}'"),
        }
    }
}

impl fmt::Display for TokenKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}
