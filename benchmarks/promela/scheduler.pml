/* Milner's cyclic scheduler, as in models/milner_scheduler.proc: cycler i
 * starts (a.i), then finishes (b.i) and passes the token (c[i+1]) in either
 * order, and waits for the token (c[i]). Compile with -DN=8. */
#ifndef N
#define N 4
#endif
chan c[N] = [0] of { bit };

proctype cycler(byte i) {
    if
    :: i == 0 -> goto start
    :: else -> goto wait
    fi;
wait:
    c[i] ? _;
start:
    skip;                              /* a.i */
    if
    :: skip; c[(i + 1) % N] ! 0        /* b.i then c.(i+1) */
    :: c[(i + 1) % N] ! 0; skip        /* c.(i+1) then b.i */
    fi;
    goto wait
}

init {
    atomic {
        byte k;
        for (k : 0 .. N - 1) { run cycler(k) }
    }
}
