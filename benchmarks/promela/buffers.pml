/* A chain of N one-place buffers of bits (benchmarks/networks.py buffers:
 * cell k = c[k]?v -> c[k+1]!v -> cell k; the links hidden, both ends free).
 * Compile with -DN=10.
 *
 * A cell holds its bit in its control state (one receive per value), so an
 * empty cell is one state whatever it held last; the free ends are a
 * source and a sink with one state each. spin's full search stores
 * 3^N + 1 states: procalg's, plus init's first. */
#ifndef N
#define N 4
#endif
chan c[N + 1] = [0] of { bit };

proctype source() { do :: c[0] ! 0 :: c[0] ! 1 od }

proctype cell(byte k) {
    do
    :: c[k] ? 0; c[k + 1] ! 0
    :: c[k] ? 1; c[k + 1] ! 1
    od
}

proctype sink() { do :: c[N] ? _ od }

init {
    atomic {
        byte k;
        run source();
        for (k : 0 .. N - 1) { run cell(k) }
        run sink()
    }
}
