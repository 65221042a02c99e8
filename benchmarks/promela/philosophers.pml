/* Dining philosophers, as in models/dining_philosophers.proc.
 * fork[j]: 0 on the table, 1 held by philosopher j, 2 held by philosopher j-1.
 * Compile with -DN=10; -DFIXED: philosopher 0 picks fork 1 first and every
 * philosopher puts the second fork down first (models/dining_philosophers_fixed.proc). */
#ifndef N
#define N 5
#endif
byte fork[N];

proctype phil(byte i) {
    byte first = i, second = (i + 1) % N;
    byte mine_first, mine_second;
#ifdef FIXED
    if
    :: i == 0 -> first = 1; second = 0
    :: else -> skip
    fi;
#endif
    mine_first = (first == i -> 1 : 2);
    mine_second = (second == i -> 1 : 2);
    do
    :: skip;                                                     /* think.i */
       atomic { fork[first] == 0 -> fork[first] = mine_first };  /* pick.i.first */
       atomic { fork[second] == 0 -> fork[second] = mine_second };
       skip;                                                     /* eat.i */
#ifdef FIXED
       fork[second] = 0; fork[first] = 0
#else
       fork[first] = 0; fork[second] = 0
#endif
    od
}

init {
    atomic {
        byte k;
        for (k : 0 .. N - 1) { run phil(k) }
    }
}
