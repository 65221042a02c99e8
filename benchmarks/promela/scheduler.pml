/* Milner's cyclic scheduler, as in models/milner_scheduler.proc: cycler i
 * starts (a.i), then finishes (b.i) and passes the token (c[i+1]) in either
 * order, and waits for the token (c[i]). Compile with -DN=8.
 *
 * One control state per state of Cycler(i) (a and b are skips, c a
 * rendezvous, so hiding c costs nothing), and no start-up choice: cycler 0
 * starts holding the token, the others waiting for it. spin's full search
 * stores N * 3 * 2^(N-1) + 1 states: procalg's, plus init's first. */
#ifndef N
#define N 4
#endif
chan c[N] = [0] of { bit };

proctype first() {
    do
    :: skip;                                   /* a.0 */
       if
       :: skip; c[1 % N] ! 0                   /* b.0, then c.1 */
       :: c[1 % N] ! 0; skip                   /* c.1, then b.0 */
       fi;
       c[0] ? _                                /* c.0 */
    od
}

proctype cycler(byte i) {
    do
    :: c[i] ? _;                               /* c.i */
       skip;                                   /* a.i */
       if
       :: skip; c[(i + 1) % N] ! 0
       :: c[(i + 1) % N] ! 0; skip
       fi
    od
}

init {
    atomic {
        byte k;
        run first();
        for (k : 1 .. N - 1) { run cycler(k) }
    }
}
