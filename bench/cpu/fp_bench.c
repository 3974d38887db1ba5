/*
 * fp_bench.c - floating-point CPU benchmark guest: a dense double-precision
 * matrix multiply and an n-body integration step loop; prints results with
 * %.9g so every run can be checked against qemu-user.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 120, BODIES = 32 };

static void matmul(const double *a, const double *b, double *c)
{
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < N; k++)
                s += a[i * N + k] * b[k * N + j];
            c[i * N + j] = s;
        }
}

struct body {
    double x, y, z, vx, vy, vz, m;
};

static void nbody_step(struct body *b, double dt)
{
    for (int i = 0; i < BODIES; i++)
        for (int j = i + 1; j < BODIES; j++) {
            double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
            double d2 = dx * dx + dy * dy + dz * dz + 0.01;
            double mag = dt / (d2 * sqrt(d2));
            b[i].vx -= dx * b[j].m * mag;
            b[i].vy -= dy * b[j].m * mag;
            b[i].vz -= dz * b[j].m * mag;
            b[j].vx += dx * b[i].m * mag;
            b[j].vy += dy * b[i].m * mag;
            b[j].vz += dz * b[i].m * mag;
        }
    for (int i = 0; i < BODIES; i++) {
        b[i].x += dt * b[i].vx;
        b[i].y += dt * b[i].vy;
        b[i].z += dt * b[i].vz;
    }
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 4;
    double *a = malloc(N * N * sizeof(double)), *b = malloc(N * N * sizeof(double));
    double *c = malloc(N * N * sizeof(double));
    struct body bodies[BODIES];
    for (int i = 0; i < N * N; i++) {
        a[i] = (i % 17) * 0.25 - 1.5;
        b[i] = (i % 13) * 0.125 + 0.5;
    }
    for (int i = 0; i < BODIES; i++)
        bodies[i] = (struct body){i * 1.1, i * 0.7 - 3, (i % 5) * 0.3, 0, 0, 0, 1.0 + i % 3};
    double trace = 0;
    for (int r = 0; r < rounds; r++) {
        matmul(a, b, c);
        for (int i = 0; i < N; i++)
            trace += c[i * N + i];
        a[r % (N * N)] += 0.5;
        for (int s = 0; s < 200; s++)
            nbody_step(bodies, 0.001);
    }
    printf("fp trace %.9g body0 %.9g %.9g %.9g\n", trace, bodies[0].x, bodies[0].y, bodies[0].z);
    return 0;
}
