//! Channels between tasks. Only crystal values cross them (R9).
//! Structured concurrency (scope/spawn/select) arrives with the concurrency work; this
//! holds the channel object so values can name it.

use crate::value::Value;
use std::collections::VecDeque;
use std::sync::Mutex;

#[derive(Default)]
pub struct Channel {
    pub queue: Mutex<ChannelState>,
}

#[derive(Default)]
pub struct ChannelState {
    pub items: VecDeque<Value>,
    pub closed: bool,
}
