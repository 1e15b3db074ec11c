import sys
import threading
from functools import reduce
import operator

# Same algorithm as the Racket version: a non-tail-recursive build of a
# 1,000,000-element cons list, then a left fold with +.  CPython needs a
# raised recursion limit and a big thread stack for 1M-deep recursion.


def build(i, n):
    if i == n:
        return None
    return (i, build(i + 1, n))


def foldl(f, acc, lst):
    while lst is not None:
        acc = f(lst[0], acc)
        lst = lst[1]
    return acc


def main():
    print(foldl(operator.add, 0, build(0, 1000000)))


sys.setrecursionlimit(2_000_000)
threading.stack_size(512 * 1024 * 1024)
t = threading.Thread(target=main)
t.start()
t.join()
