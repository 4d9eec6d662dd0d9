//! Dates and times. Timestamps are Int milliseconds since the Unix epoch (`time()`,
//! `time_format`, `time_parse`, `time_year` ... in local time, as the reference does);
//! DateTime values are Maps `{year, month, day, hour, minute, second, tz_offset}` with
//! epoch *seconds* at their boundary (`datetime_from_epoch`, `datetime_to_epoch`);
//! Durations are Maps `{hours, minutes, seconds, millis, total_ms}`.
//!
//! strftime/strptime formats go through chrono, which understands the common `%`
//! codes; an unknown code is an error rather than a crash.

use crate::args::{arg, fail};
use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Datelike, Local, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike, Utc};
use lattice_vm::{LatMap, Value, Vm, VmResult};
use std::fmt::Write;

pub fn install(vm: &mut Vm) {
    for (name, f) in NATIVES {
        vm.register_native(name, *f);
    }
}

const NATIVES: &[(&str, lattice_vm::NativeFn)] = &[
    ("time", time),
    ("sleep", sleep),
    ("time_format", time_format),
    ("time_parse", time_parse),
    ("time_year", time_year),
    ("time_month", time_month),
    ("time_day", time_day),
    ("time_hour", time_hour),
    ("time_minute", time_minute),
    ("time_second", time_second),
    ("time_weekday", time_weekday),
    ("time_add", time_add),
    ("is_leap_year", is_leap_year),
    ("duration", duration),
    ("duration_from_seconds", duration_from_seconds),
    ("duration_from_millis", duration_from_millis),
    ("duration_add", duration_add),
    ("duration_sub", duration_sub),
    ("duration_to_string", duration_to_string),
    ("duration_hours", duration_hours),
    ("duration_minutes", duration_minutes),
    ("duration_seconds", duration_seconds),
    ("duration_millis", duration_millis),
    ("datetime_now", datetime_now),
    ("datetime_from_epoch", datetime_from_epoch),
    ("datetime_to_epoch", datetime_to_epoch),
    ("datetime_from_iso", datetime_from_iso),
    ("datetime_to_iso", datetime_to_iso),
    ("datetime_add_duration", datetime_add_duration),
    ("datetime_sub", datetime_sub),
    ("datetime_format", datetime_format),
    ("datetime_to_utc", datetime_to_utc),
    ("datetime_to_local", datetime_to_local),
    ("timezone_offset", timezone_offset),
    ("days_in_month", days_in_month),
    ("day_of_week", day_of_week),
    ("day_of_year", day_of_year),
];

/// The `time` module: `now`, `format`, `parse`, ... and the duration and calendar
/// functions under their own names.
pub const MODULE: &[(&str, &str)] = &[
    ("now", "time"),
    ("sleep", "sleep"),
    ("format", "time_format"),
    ("parse", "time_parse"),
    ("year", "time_year"),
    ("month", "time_month"),
    ("day", "time_day"),
    ("hour", "time_hour"),
    ("minute", "time_minute"),
    ("second", "time_second"),
    ("weekday", "time_weekday"),
    ("add", "time_add"),
    ("is_leap_year", "is_leap_year"),
    ("duration", "duration"),
    ("duration_from_seconds", "duration_from_seconds"),
    ("duration_from_millis", "duration_from_millis"),
    ("duration_add", "duration_add"),
    ("duration_sub", "duration_sub"),
    ("duration_to_string", "duration_to_string"),
    ("duration_hours", "duration_hours"),
    ("duration_minutes", "duration_minutes"),
    ("duration_seconds", "duration_seconds"),
    ("duration_millis", "duration_millis"),
    ("datetime_now", "datetime_now"),
    ("datetime_from_epoch", "datetime_from_epoch"),
    ("datetime_to_epoch", "datetime_to_epoch"),
    ("datetime_from_iso", "datetime_from_iso"),
    ("datetime_to_iso", "datetime_to_iso"),
    ("datetime_add_duration", "datetime_add_duration"),
    ("datetime_sub", "datetime_sub"),
    ("datetime_format", "datetime_format"),
    ("datetime_to_utc", "datetime_to_utc"),
    ("datetime_to_local", "datetime_to_local"),
    ("timezone_offset", "timezone_offset"),
    ("days_in_month", "days_in_month"),
    ("day_of_week", "day_of_week"),
    ("day_of_year", "day_of_year"),
];

/// Int arguments `0..n`, or the usage error.
fn ints<const N: usize>(args: &[Value], usage: &str) -> VmResult<[i64; N]> {
    let mut out = [0; N];
    if args.len() != N {
        return fail(usage);
    }
    for (slot, v) in out.iter_mut().zip(args) {
        *slot = v.as_int().ok_or_else(|| lattice_vm::RuntimeError::new(usage))?;
    }
    Ok(out)
}

fn time(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if !args.is_empty() {
        return fail("time() expects no arguments");
    }
    Ok(Value::int(Utc::now().timestamp_millis()))
}

fn sleep(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let [ms] = ints::<1>(args, "sleep() expects (ms: Int)")?;
    if ms < 0 {
        return fail("sleep() expects non-negative milliseconds");
    }
    vm.flush();
    std::thread::sleep(std::time::Duration::from_millis(ms as u64));
    Ok(Value::UNIT)
}

/// A local date-time for epoch milliseconds (whole seconds, rounded down).
fn local(ms: i64) -> Option<DateTime<Local>> {
    Local.timestamp_opt(ms.div_euclid(1000), 0).single()
}

/// Formats with strftime codes; an unknown code is an error.
fn strftime<Tz: TimeZone>(t: &DateTime<Tz>, fmt: &str, op: &str) -> VmResult<String>
where
    Tz::Offset: std::fmt::Display,
{
    let items: Vec<Item> = StrftimeItems::new(fmt).collect();
    if items.iter().any(|i| matches!(i, Item::Error)) {
        return fail(format!("{op}: invalid format string \"{fmt}\""));
    }
    let mut out = String::new();
    write!(out, "{}", t.format_with_items(items.into_iter())).map_err(|_| format!("{op}: cannot format"))?;
    Ok(out)
}

fn time_format(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(ms, _), Value::Str(fmt, _)) = (arg(args, 0), arg(args, 1)) else {
        return fail("time_format: expected (timestamp: Int, format: Str)");
    };
    let Some(t) = local(*ms) else {
        return fail("time_format: failed to convert timestamp");
    };
    Ok(Value::str(strftime(&t, fmt, "time_format")?))
}

/// `time_parse(text, fmt)`: local epoch milliseconds; a format without a time of day
/// means midnight.
fn time_parse(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Str(text, _), Value::Str(fmt, _)) = (arg(args, 0), arg(args, 1)) else {
        return fail("time_parse: expected (str: Str, format: Str)");
    };
    let parsed = NaiveDateTime::parse_from_str(text, fmt).or_else(|_| {
        NaiveDate::parse_from_str(text, fmt).map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default())
    });
    let Ok(naive) = parsed else {
        return fail(format!("time_parse: failed to parse \"{text}\" with format \"{fmt}\""));
    };
    match Local.from_local_datetime(&naive).earliest() {
        Some(t) => Ok(Value::int(t.timestamp() * 1000)),
        None => fail("time_parse: mktime failed to convert parsed time"),
    }
}

/// A local calendar field of a timestamp argument.
fn field(args: &[Value], name: &str, get: fn(&DateTime<Local>) -> i64) -> VmResult<Value> {
    let [ms] = ints::<1>(args, &format!("{name}: expected (timestamp: Int)"))?;
    match local(ms) {
        Some(t) => Ok(Value::int(get(&t))),
        None => fail(format!("{name}: timestamp out of range")),
    }
}

fn time_year(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    field(args, "time_year", |t| i64::from(t.year()))
}
fn time_month(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    field(args, "time_month", |t| i64::from(t.month()))
}
fn time_day(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    field(args, "time_day", |t| i64::from(t.day()))
}
fn time_hour(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    field(args, "time_hour", |t| i64::from(t.hour()))
}
fn time_minute(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    field(args, "time_minute", |t| i64::from(t.minute()))
}
fn time_second(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    field(args, "time_second", |t| i64::from(t.second()))
}
/// 0 is Sunday.
fn time_weekday(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    field(args, "time_weekday", |t| i64::from(t.weekday().num_days_from_sunday()))
}

fn time_add(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let [t, d] = ints::<2>(args, "time_add: expected (timestamp: Int, delta_ms: Int)")?;
    Ok(Value::int(t.wrapping_add(d)))
}

fn leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn is_leap_year(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let [y] = ints::<1>(args, "is_leap_year: expected (year: Int)")?;
    Ok(Value::bool(leap(y)))
}

fn month_days(year: i64, month: i64) -> Option<i64> {
    const DAYS: [i64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let d = *DAYS.get(usize::try_from(month.checked_sub(1)?).ok()?)?;
    Some(if month == 2 && leap(year) { 29 } else { d })
}

fn days_in_month(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let [y, m] = ints::<2>(args, "days_in_month: expected (year: Int, month: Int)")?;
    match month_days(y, m) {
        Some(d) => Ok(Value::int(d)),
        None => fail("days_in_month: month must be 1-12"),
    }
}

fn valid_date(y: i64, m: i64, d: i64) -> bool {
    month_days(y, m).is_some_and(|n| (1..=n).contains(&d))
}

/// 0 is Sunday (Sakamoto's method).
fn day_of_week(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let [y, m, d] = ints::<3>(args, "day_of_week: expected (year: Int, month: Int, day: Int)")?;
    if !valid_date(y, m, d) {
        return fail("day_of_week: invalid date");
    }
    const T: [i64; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
    let y = if m < 3 { y - 1 } else { y };
    Ok(Value::int(
        (y + y.div_euclid(4) - y.div_euclid(100) + y.div_euclid(400) + T[(m - 1) as usize] + d).rem_euclid(7),
    ))
}

fn day_of_year(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let [y, m, d] = ints::<3>(args, "day_of_year: expected (year: Int, month: Int, day: Int)")?;
    if !valid_date(y, m, d) {
        return fail("day_of_year: invalid date");
    }
    let before: i64 = (1..m).filter_map(|k| month_days(y, k)).sum();
    Ok(Value::int(before + d))
}

// ---- durations ----

fn duration_map(total_ms: i64) -> Value {
    let mut m = LatMap::new();
    m.insert("hours", Value::int(total_ms / 3_600_000));
    m.insert("minutes", Value::int(total_ms % 3_600_000 / 60_000));
    m.insert("seconds", Value::int(total_ms % 60_000 / 1000));
    m.insert("millis", Value::int(total_ms % 1000));
    m.insert("total_ms", Value::int(total_ms));
    Value::map(m)
}

fn overflow(op: &str) -> VmResult<Value> {
    fail(format!("{op}: total milliseconds exceed Int range"))
}

fn duration(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let [h, m, s, ms] =
        ints::<4>(args, "duration: expected (hours: Int, minutes: Int, seconds: Int, millis: Int)")?;
    let total = h
        .checked_mul(3_600_000)
        .zip(m.checked_mul(60_000))
        .and_then(|(a, b)| a.checked_add(b))
        .zip(s.checked_mul(1000))
        .and_then(|(a, b)| a.checked_add(b))
        .and_then(|a| a.checked_add(ms));
    total.map_or_else(|| overflow("duration"), |t| Ok(duration_map(t)))
}

fn duration_from_seconds(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let [s] = ints::<1>(args, "duration_from_seconds: expected (seconds: Int)")?;
    s.checked_mul(1000).map_or_else(|| overflow("duration_from_seconds"), |t| Ok(duration_map(t)))
}

fn duration_from_millis(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let [ms] = ints::<1>(args, "duration_from_millis: expected (millis: Int)")?;
    Ok(duration_map(ms))
}

/// A Duration Map's `total_ms` (0 when missing).
fn total_ms(v: &Value) -> i64 {
    match v {
        Value::Map(m, _) => m.get("total_ms").and_then(Value::as_int).unwrap_or(0),
        _ => 0,
    }
}

/// Two Map arguments, or the usage error.
fn two_maps<'a>(args: &'a [Value], usage: &str) -> VmResult<(&'a Value, &'a Value)> {
    match args {
        [a @ Value::Map(..), b @ Value::Map(..)] => Ok((a, b)),
        _ => fail(usage),
    }
}

fn duration_add(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (a, b) = two_maps(args, "duration_add: expected (d1: Map, d2: Map)")?;
    total_ms(a).checked_add(total_ms(b)).map_or_else(|| overflow("duration_add"), |t| Ok(duration_map(t)))
}

fn duration_sub(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (a, b) = two_maps(args, "duration_sub: expected (d1: Map, d2: Map)")?;
    total_ms(a).checked_sub(total_ms(b)).map_or_else(|| overflow("duration_sub"), |t| Ok(duration_map(t)))
}

/// `"2h 30m 15s"`, with `" 250ms"` when there are milliseconds.
fn duration_to_string(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let [d @ Value::Map(..)] = args else {
        return fail("duration_to_string: expected (d: Map)");
    };
    let total = total_ms(d);
    let mag = total.unsigned_abs();
    let sign = if total < 0 { "-" } else { "" };
    let (h, m, s, ms) = (mag / 3_600_000, mag % 3_600_000 / 60_000, mag % 60_000 / 1000, mag % 1000);
    let text = if ms > 0 { format!("{sign}{h}h {m}m {s}s {ms}ms") } else { format!("{sign}{h}h {m}m {s}s") };
    Ok(Value::str(text))
}

/// One component of a Duration Map.
fn component(args: &[Value], name: &str, key: &str) -> VmResult<Value> {
    let [Value::Map(m, _)] = args else {
        return fail(format!("{name}: expected (d: Map)"));
    };
    Ok(Value::int(m.get(key).and_then(Value::as_int).unwrap_or(0)))
}

fn duration_hours(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    component(args, "duration_hours", "hours")
}
fn duration_minutes(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    component(args, "duration_minutes", "minutes")
}
fn duration_seconds(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    component(args, "duration_seconds", "seconds")
}
fn duration_millis(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    component(args, "duration_millis", "millis")
}

// ---- DateTime maps ----

/// The parts of a DateTime Map.
struct Parts {
    y: i64,
    mo: i64,
    d: i64,
    h: i64,
    mi: i64,
    s: i64,
    tz: i64,
}

fn datetime_map<T: Datelike + Timelike>(t: &T, tz: i64) -> Value {
    let mut m = LatMap::new();
    m.insert("year", Value::int(i64::from(t.year())));
    m.insert("month", Value::int(i64::from(t.month())));
    m.insert("day", Value::int(i64::from(t.day())));
    m.insert("hour", Value::int(i64::from(t.hour())));
    m.insert("minute", Value::int(i64::from(t.minute())));
    m.insert("second", Value::int(i64::from(t.second())));
    m.insert("tz_offset", Value::int(tz));
    Value::map(m)
}

/// Reads a DateTime Map: year, month and day are required, the rest default to 0.
fn parts(v: &Value) -> Option<Parts> {
    let Value::Map(m, _) = v else { return None };
    let get = |k: &str| m.get(k).and_then(Value::as_int);
    let opt = |k: &str| get(k).unwrap_or(0);
    Some(Parts {
        y: get("year")?,
        mo: get("month")?,
        d: get("day")?,
        h: opt("hour"),
        mi: opt("minute"),
        s: opt("second"),
        tz: opt("tz_offset"),
    })
}

/// Epoch seconds of the parts (normalizing out-of-range fields, as `timegm` does).
fn epoch_of(p: &Parts) -> Option<i64> {
    let months = p.y.checked_mul(12)?.checked_add(p.mo - 1)?;
    let (y, mo) = (months.div_euclid(12), months.rem_euclid(12) + 1);
    let first = NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, mo as u32, 1)?;
    let days = first.and_hms_opt(0, 0, 0)?.and_utc().timestamp().checked_div(86_400)?.checked_add(p.d - 1)?;
    days.checked_mul(86_400)?.checked_add(p.h * 3600 + p.mi * 60 + p.s)?.checked_sub(p.tz)
}

fn utc_of(epoch: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(epoch, 0).single()
}

/// A DateTime Map argument's epoch seconds, or `op: invalid DateTime map`.
fn map_epoch(args: &[Value], i: usize, op: &str) -> VmResult<(i64, Parts)> {
    let p = parts(arg(args, i)).ok_or_else(|| format!("{op}: invalid DateTime map"))?;
    let e = epoch_of(&p).ok_or_else(|| format!("{op}: invalid DateTime map"))?;
    Ok((e, p))
}

fn local_offset_seconds() -> i64 {
    i64::from(Local::now().offset().fix().local_minus_utc())
}

fn datetime_now(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(datetime_map(&Local::now(), local_offset_seconds()))
}

fn datetime_from_epoch(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let [secs] = ints::<1>(args, "datetime_from_epoch: expected (epoch_seconds: Int)")?;
    match utc_of(secs) {
        Some(t) => Ok(datetime_map(&t, 0)),
        None => fail("datetime_from_epoch: timestamp out of range"),
    }
}

fn datetime_to_epoch(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if !matches!(args, [Value::Map(..)]) {
        return fail("datetime_to_epoch: expected (dt: Map)");
    }
    Ok(Value::int(map_epoch(args, 0, "datetime_to_epoch")?.0))
}

/// Parses `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS` with an optional `Z` or `±HH:MM`.
fn parse_iso(text: &str) -> Result<i64, String> {
    let malformed = |what: &str| format!("datetime_from_iso: {what}");
    let num = |s: &str| s.parse::<i64>().ok();
    let (date, time) = match text.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let dp: Vec<&str> = date.splitn(3, '-').collect();
    let [y, mo, d] = dp[..] else {
        return Err(format!("datetime_from_iso: failed to parse \"{text}\""));
    };
    let (Some(y), Some(mo), Some(d)) = (num(y), num(mo), num(d)) else {
        return Err(if time.is_none() {
            malformed("malformed date")
        } else {
            format!("datetime_from_iso: failed to parse \"{text}\"")
        });
    };
    let (mut h, mut mi, mut s, mut tz) = (0, 0, 0, 0);
    if let Some(t) = time {
        let split = t.find(['Z', '+', '-']).unwrap_or(t.len());
        let (clock, suffix) = t.split_at(split);
        let cp: Vec<Option<i64>> = clock.split(':').map(num).collect();
        let [Some(hh), Some(mm), Some(ss)] = cp[..] else {
            return Err(malformed("malformed time component"));
        };
        (h, mi, s) = (hh, mm, ss);
        if !suffix.is_empty() && suffix != "Z" {
            let (sign, rest) = suffix.split_at(1);
            let tp: Vec<Option<i64>> = rest.split(':').map(num).collect();
            let [Some(th), Some(tm)] = tp[..] else {
                return Err(malformed("malformed timezone suffix"));
            };
            if !(0..=23).contains(&th) || !(0..=59).contains(&tm) {
                return Err(malformed("date/time components out of range"));
            }
            tz = (th * 3600 + tm * 60) * if sign == "-" { -1 } else { 1 };
        }
    }
    if !valid_date(y, mo, d) || !(0..=23).contains(&h) || !(0..=59).contains(&mi) || !(0..=59).contains(&s) {
        return Err(malformed("date/time components out of range"));
    }
    epoch_of(&Parts { y, mo, d, h, mi, s, tz }).ok_or_else(|| malformed("date/time components out of range"))
}

fn datetime_from_iso(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let [Value::Str(text, _)] = args else {
        return fail("datetime_from_iso: expected (str: String)");
    };
    let epoch = parse_iso(text)?;
    match utc_of(epoch) {
        Some(t) => Ok(datetime_map(&t, 0)),
        None => fail("datetime_from_iso: date/time components out of range"),
    }
}

fn datetime_to_iso(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if !matches!(args, [Value::Map(..)]) {
        return fail("datetime_to_iso: expected (dt: Map)");
    }
    let (epoch, _) = map_epoch(args, 0, "datetime_to_iso")?;
    match utc_of(epoch) {
        Some(t) => Ok(Value::str(t.format("%Y-%m-%dT%H:%M:%SZ").to_string())),
        None => fail("datetime_to_iso: invalid DateTime map"),
    }
}

/// Adds a Duration, keeping the DateTime's own offset.
fn datetime_add_duration(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (_, dur) = two_maps(args, "datetime_add_duration: expected (dt: Map, dur: Map)")?;
    let (epoch, p) = map_epoch(args, 0, "datetime_add_duration")?;
    let shifted = epoch.checked_add(total_ms(dur) / 1000).and_then(|e| e.checked_add(p.tz));
    match shifted.and_then(utc_of) {
        Some(t) => Ok(datetime_map(&t, p.tz)),
        None => overflow("datetime_add_duration"),
    }
}

fn datetime_sub(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    two_maps(args, "datetime_sub: expected (dt1: Map, dt2: Map)")?;
    let (a, _) = map_epoch(args, 0, "datetime_sub")?;
    let (b, _) = map_epoch(args, 1, "datetime_sub")?;
    a.checked_sub(b)
        .and_then(|d| d.checked_mul(1000))
        .map_or_else(|| overflow("datetime_sub"), |d| Ok(duration_map(d)))
}

/// strftime of the DateTime's UTC instant.
fn datetime_format(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Map(..), Value::Str(fmt, _)) = (arg(args, 0), arg(args, 1)) else {
        return fail("datetime_format: expected (dt: Map, fmt: String)");
    };
    let (epoch, _) = map_epoch(args, 0, "datetime_format")?;
    let t = utc_of(epoch).ok_or_else(|| "datetime_format: invalid DateTime map".to_string())?;
    Ok(Value::str(strftime(&t, fmt, "datetime_format")?))
}

fn datetime_to_utc(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if !matches!(args, [Value::Map(..)]) {
        return fail("datetime_to_utc: expected (dt: Map)");
    }
    let (epoch, _) = map_epoch(args, 0, "datetime_to_utc")?;
    utc_of(epoch).map_or_else(|| fail("datetime_to_utc: invalid DateTime map"), |t| Ok(datetime_map(&t, 0)))
}

fn datetime_to_local(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if !matches!(args, [Value::Map(..)]) {
        return fail("datetime_to_local: expected (dt: Map)");
    }
    let (epoch, _) = map_epoch(args, 0, "datetime_to_local")?;
    match Local.timestamp_opt(epoch, 0).single() {
        Some(t) => Ok(datetime_map(&t, local_offset_seconds())),
        None => fail("datetime_to_local: invalid DateTime map"),
    }
}

fn timezone_offset(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(Value::int(local_offset_seconds()))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;

    #[test]
    fn calendar_and_durations() {
        check_calls(vec![
            ("is_leap_year", vec![i(2000)], "true"),
            ("is_leap_year", vec![i(1900)], "false"),
            ("days_in_month", vec![i(2024), i(2)], "29"),
            ("days_in_month", vec![i(2024), i(13)], "error: days_in_month: month must be 1-12"),
            ("day_of_week", vec![i(2024), i(1), i(1)], "1"),
            ("day_of_year", vec![i(2024), i(3), i(1)], "61"),
            ("day_of_year", vec![i(2023), i(2), i(30)], "error: day_of_year: invalid date"),
            ("duration", vec![i(2), i(30), i(15), i(0)], "{\"hours\": 2, \"total_ms\": 9015000, \"millis\": 0, \"seconds\": 15, \"minutes\": 30}"),
            ("duration", vec![i(i64::MAX), i(0), i(0), i(0)], "error: duration: total milliseconds exceed Int range"),
            ("duration_from_seconds", vec![i(3661)], "{\"hours\": 1, \"total_ms\": 3661000, \"millis\": 0, \"seconds\": 1, \"minutes\": 1}"),
            ("time_add", vec![i(1000), i(500)], "1500"),
            ("datetime_from_epoch", vec![i(0)], "{\"month\": 1, \"tz_offset\": 0, \"minute\": 0, \"year\": 1970, \"day\": 1, \"second\": 0, \"hour\": 0}"),
            ("datetime_from_iso", vec![s("2024-13-01")], "error: datetime_from_iso: date/time components out of range"),
            ("datetime_from_iso", vec![s("nonsense")], "error: datetime_from_iso: failed to parse \"nonsense\""),
            ("time_parse", vec![s("x"), s("%Y")], "error: time_parse: failed to parse \"x\" with format \"%Y\""),
            ("time_format", vec![i(0), s("%Q")], "error: time_format: invalid format string \"%Q\""),
        ]);
    }

    #[test]
    fn durations_print_and_combine() {
        let mut vm = vm();
        let a = call(&mut vm, "duration", vec![i(2), i(30), i(15), i(250)]).unwrap();
        assert_eq!(show(call(&mut vm, "duration_to_string", vec![a.clone()])), "\"2h 30m 15s 250ms\"");
        let b = call(&mut vm, "duration_from_millis", vec![i(250)]).unwrap();
        let c = call(&mut vm, "duration_sub", vec![a, b]).unwrap();
        assert_eq!(show(call(&mut vm, "duration_to_string", vec![c.clone()])), "\"2h 30m 15s\"");
        assert_eq!(show(call(&mut vm, "duration_minutes", vec![c])), "30");
    }

    #[test]
    fn iso_round_trip() {
        let mut vm = vm();
        let dt = call(&mut vm, "datetime_from_iso", vec![s("2024-02-29T12:34:56+02:00")]).unwrap();
        assert_eq!(show(call(&mut vm, "datetime_to_iso", vec![dt.clone()])), "\"2024-02-29T10:34:56Z\"");
        assert_eq!(show(call(&mut vm, "datetime_to_epoch", vec![dt.clone()])), "1709202896");
        let fmt = call(&mut vm, "datetime_format", vec![dt, s("%Y/%m/%d %H:%M")]).unwrap();
        assert_eq!(show(Ok(fmt)), "\"2024/02/29 10:34\"");
        let d = call(&mut vm, "datetime_from_iso", vec![s("2024-01-02")]).unwrap();
        let e = call(&mut vm, "datetime_from_iso", vec![s("2024-01-01")]).unwrap();
        let diff = call(&mut vm, "datetime_sub", vec![d, e]).unwrap();
        assert_eq!(show(call(&mut vm, "duration_hours", vec![diff])), "24");
    }

    #[test]
    fn local_time_round_trip() {
        let mut vm = vm();
        let t = call(&mut vm, "time_parse", vec![s("2024-03-05 06:07:08"), s("%Y-%m-%d %H:%M:%S")]).unwrap();
        let back = call(&mut vm, "time_format", vec![t.clone(), s("%Y-%m-%d %H:%M:%S")]).unwrap();
        assert_eq!(show(Ok(back)), "\"2024-03-05 06:07:08\"");
        assert_eq!(show(call(&mut vm, "time_year", vec![t.clone()])), "2024");
        assert_eq!(show(call(&mut vm, "time_second", vec![t])), "8");
        let day = call(&mut vm, "time_parse", vec![s("2024-03-05"), s("%Y-%m-%d")]).unwrap();
        assert_eq!(show(call(&mut vm, "time_hour", vec![day])), "0");
        assert!(call(&mut vm, "time", vec![]).unwrap().as_int().unwrap() > 1_600_000_000_000);
    }
}
