fn main() {
    let _ = rlmsh::Interp::new();
}
