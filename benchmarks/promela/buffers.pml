/* A chain of N one-place buffers of bits between a source and a sink
 * (CSP: cell k = c[k]?v -> c[k+1]!v -> cell k; the ends are free events).
 * Compile with -DN=10. */
#ifndef N
#define N 4
#endif
chan c[N + 1] = [0] of { bit };

proctype source() { do :: c[0] ! 0 :: c[0] ! 1 od }

proctype cell(byte k) {
    bit v;
    do :: c[k] ? v; c[k + 1] ! v; v = 0 od
}

proctype sink() { bit v; do :: c[N] ? v; v = 0 od }

init {
    atomic {
        byte k;
        run source();
        for (k : 0 .. N - 1) { run cell(k) }
        run sink()
    }
}
