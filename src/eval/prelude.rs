//! Installing builtins and the Scheme standard library into an instance.

use crate::interp::Interp;

pub fn install(interp: &mut Interp) {
    let _ = interp;
}
