//! Runtime environments: one heap frame per procedure activation. `let`-bound variables and
//! internal definitions get slots in the frame of the procedure they appear in, so only
//! procedure calls allocate.

use std::cell::RefCell;

use gcmodule::{Cc, Trace, Tracer};

use crate::value::Value;

/// A frame's variables. A plain vector keeps the frame small, so moving it is cheap.
pub type Slots = Vec<Value>;

pub struct Frame {
    pub slots: RefCell<Slots>,
    pub parent: Option<Cc<Frame>>,
}

pub type Env = Option<Cc<Frame>>;

impl Trace for Frame {
    fn trace(&self, tracer: &mut Tracer) {
        if let Ok(slots) = self.slots.try_borrow() {
            for v in slots.iter() {
                v.trace(tracer);
            }
        }
        if let Some(parent) = &self.parent {
            parent.trace(tracer);
        }
    }
}

impl Frame {
    pub fn new(slots: Slots, parent: Env) -> Cc<Frame> {
        Cc::new(Frame { slots: RefCell::new(slots), parent })
    }
}
