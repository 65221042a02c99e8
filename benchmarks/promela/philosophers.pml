/* Dining philosophers, as in models/dining_philosophers.proc.
 * fork[j]: 0 on the table, 1 held by philosopher j, 2 held by philosopher j-1.
 * Compile with -DN=10. With -DFIXED=1, philosopher 0 picks fork 1 first and
 * every philosopher puts the second fork down first
 * (models/dining_philosophers_fixed.proc). Locals are set in declarations,
 * so a philosopher has exactly the six control states of Phil(i). */
#ifndef N
#define N 5
#endif
#ifndef FIXED
#define FIXED 0
#endif
#define FIRST(i)  ((FIXED && i == 0) -> 1 : i)
#define SECOND(i) ((FIXED && i == 0) -> 0 : (i + 1) % N)
#define MINE(i, j) ((j == i) -> 1 : 2)

byte fork[N];

proctype phil(byte i) {
    do
    :: skip;                                                              /* think.i */
       atomic { fork[FIRST(i)] == 0 -> fork[FIRST(i)] = MINE(i, FIRST(i)) };
       atomic { fork[SECOND(i)] == 0 -> fork[SECOND(i)] = MINE(i, SECOND(i)) };
       skip;                                                              /* eat.i */
#if FIXED
       fork[SECOND(i)] = 0; fork[FIRST(i)] = 0
#else
       fork[FIRST(i)] = 0; fork[SECOND(i)] = 0
#endif
    od
}

init {
    atomic {
        byte k;
        for (k : 0 .. N - 1) { run phil(k) }
    }
}
