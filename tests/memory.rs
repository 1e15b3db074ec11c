//! Memory reclamation: closures that capture their own environment form reference cycles,
//! which the cycle collector must free.

use rlmsh::eval::stack::with_big_stack;
use rlmsh::Interp;

fn tracked_after(program: &str) -> (usize, usize) {
    with_big_stack({
        let program = program.to_string();
        move || {
            let mut interp = Interp::new();
            let baseline = gcmodule::count_thread_tracked();
            if let Err(e) = interp.eval_str(&program, "memory-test") {
                panic!("program failed: {}", e.report());
            }
            rlmsh::eval::exec::collect_cycles();
            (baseline, gcmodule::count_thread_tracked())
        }
    })
}

#[test]
fn internal_recursive_definitions_are_reclaimed() {
    let (baseline, after) = tracked_after(
        "(define (f x) (define (g k) (if (= k 0) x (g (- k 1)))) (g 3))
         (define (run i) (if (= i 0) 'done (begin (f 1) (run (- i 1)))))
         (run 20000)",
    );
    assert!(after <= baseline + 10, "{} objects leaked", after - baseline);
}

#[test]
fn named_let_loops_do_not_accumulate() {
    let (baseline, after) = tracked_after(
        "(define (sum-to n) (let loop ([i 0] [acc 0]) (if (> i n) acc (loop (+ i 1) (+ acc i)))))
         (define (run i) (if (= i 0) 'done (begin (sum-to 5) (run (- i 1)))))
         (run 20000)",
    );
    assert!(after <= baseline + 10, "{} objects leaked", after - baseline);
}

#[test]
fn collection_runs_during_long_loops() {
    // Without collection during the run, 300,000 cycles of a frame and a closure would stay
    // tracked until the end; with it, far fewer remain when the loop finishes.
    let tracked_at_end = with_big_stack(|| {
        let mut interp = Interp::new();
        interp
            .eval_str(
                "(define (f x) (define (g) x) (g))
                 (define (run i) (if (= i 0) 'done (begin (f 1) (run (- i 1)))))
                 (run 300000)",
                "memory-test",
            )
            .map_err(|e| e.report())
            .expect("program runs");
        gcmodule::count_thread_tracked()
    });
    assert!(tracked_at_end < 300_000, "{tracked_at_end} objects still tracked");
}
