/* Baseline for bench/client.sh: the same two workloads as vigil-bench, on libmariadb.
 * Usage: clientbench HOST PORT USER QUERIES  (password from MYSQL_PWD)
 * Prints: latency_us_per_query=... and rows_per_s=... lines. */
#include <mysql.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WARMUP 200

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s host port user queries\n", argv[0]); return 2; }
    const char *pw = getenv("MYSQL_PWD");
    MYSQL *c = mysql_init(NULL);
    unsigned int ssl = 0;
    mysql_optionsv(c, MYSQL_OPT_SSL_ENFORCE, &ssl);
    if (!mysql_real_connect(c, argv[1], argv[3], pw, "bench", atoi(argv[2]), NULL, 0)) {
        fprintf(stderr, "connect: %s\n", mysql_error(c));
        return 1;
    }
    int n = atoi(argv[4]);
    /* Warm-up, untimed (as in vigil-bench): first-use costs are not round-trip latency. */
    double t0 = 0;
    for (int i = -WARMUP; i < n; i++) {
        if (i == 0) t0 = now();
        if (mysql_query(c, "SELECT 1")) { fprintf(stderr, "%s\n", mysql_error(c)); return 1; }
        MYSQL_RES *r = mysql_store_result(c);
        MYSQL_ROW row = mysql_fetch_row(r);
        if (!row || row[0][0] != '1') return 1;
        mysql_free_result(r);
    }
    double t1 = now();
    printf("latency_us_per_query=%.2f\n", (t1 - t0) / n * 1e6);
    if (argc > 5 && strcmp(argv[5], "latency") == 0) { mysql_close(c); return 0; }

    for (int rep = 0; rep < 3; rep++) {
        double t2 = now();
        if (mysql_query(c, "SELECT id, k, c, pad FROM rows200k")) { fprintf(stderr, "%s\n", mysql_error(c)); return 1; }
        MYSQL_RES *r = mysql_store_result(c);
        unsigned long long rows = 0, bytes = 0;
        MYSQL_ROW row;
        unsigned int nf = mysql_num_fields(r);
        while ((row = mysql_fetch_row(r))) {
            unsigned long *len = mysql_fetch_lengths(r);
            for (unsigned int f = 0; f < nf; f++) bytes += len[f];
            rows++;
        }
        mysql_free_result(r);
        double t3 = now();
        printf("rows=%llu bytes=%llu rows_per_s=%.0f\n", rows, bytes, rows / (t3 - t2));
    }
    mysql_close(c);
    return 0;
}
