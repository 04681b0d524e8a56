"""Peer comparison for docs/PERFORMANCE.md: a closed-loop time-varying-elastance circulation of
the same kind as ecmo-unload's core (Burkhoff & Tyberg chambers with a double-Hill activation,
diode valves with resistance, systemic and pulmonary arterial/venous compliances), written the
way a researcher would write it, integrated with SciPy's solve_ivp. Prints the wall time for
60 simulated seconds and the real-time factor.

    python3 -m venv /tmp/peer && /tmp/peer/bin/pip install -r requirements.txt
    /tmp/peer/bin/python burkhoff_scipy.py

The model is smaller than ecmo-unload's (8 compartments against 12, no inertances, no devices,
no monitor, no reflex): the ratio understates the engine's advantage.
"""
import time

import numpy as np
from scipy.integrate import solve_ivp

HR = 72.0
RR = 60.0 / HR
# Chambers: Ees, V0, EDPVR A, B (Burkhoff/Tyberg, healthy preset values).
LV = (2.3, 5.0, 0.72, 0.02)
RV = (0.5, 5.0, 0.34, 0.024)
LA = (0.15, 5.0, 0.3, 0.04)
RA = (0.2, 5.0, 0.3, 0.04)
# Vessels: compliance mL/mmHg, unstressed volume mL.
SA, SV, PA, PV = (1.5, 700.0), (70.0, 2500.0), (4.0, 90.0), (8.0, 300.0)
R_SYS, R_PUL = 1.0, 0.08
R_AV, R_MV, R_PV, R_TV = 0.01, 0.005, 0.005, 0.005
R_SV_RA, R_PV_LA = 0.02, 0.01


def activation(t, tau1=0.269, tau2=0.452, m1=1.32, m2=27.4, delay=0.0):
    t = (t - delay) % RR
    s = np.sqrt(RR)
    g1 = (t / (tau1 * s)) ** m1
    g2 = (t / (tau2 * s)) ** m2
    return g1 / (1 + g1) / (1 + g2) / 0.55


def chamber(v, e, c):
    ees, v0, a, b = c
    return e * ees * (v - v0) + (1 - e) * a * (np.exp(b * (v - v0)) - 1)


def rhs(t, y):
    lv, rv, la, ra, sa, sv, pa, pv = y
    e_v = min(activation(t), 1.0)
    e_a = min(activation(t, 0.11, 0.18, 1.32, 13.1, -0.16 % RR), 1.0)
    p_lv, p_rv = chamber(lv, e_v, LV), chamber(rv, e_v, RV)
    p_la, p_ra = chamber(la, e_a, LA), chamber(ra, e_a, RA)
    p_sa, p_sv = (sa - SA[1]) / SA[0], (sv - SV[1]) / SV[0]
    p_pa, p_pv = (pa - PA[1]) / PA[0], (pv - PV[1]) / PV[0]
    q_av = max(p_lv - p_sa, 0) / R_AV
    q_mv = max(p_la - p_lv, 0) / R_MV
    q_pv = max(p_rv - p_pa, 0) / R_PV
    q_tv = max(p_ra - p_rv, 0) / R_TV
    q_sys = (p_sa - p_sv) / R_SYS
    q_svra = (p_sv - p_ra) / R_SV_RA
    q_pul = (p_pa - p_pv) / R_PUL
    q_pvla = (p_pv - p_la) / R_PV_LA
    return [
        q_mv - q_av, q_tv - q_pv, q_pvla - q_mv, q_svra - q_tv,
        q_av - q_sys, q_sys - q_svra, q_pv - q_pul, q_pul - q_pvla,
    ]


def main():
    y0 = [120.0, 120.0, 60.0, 60.0, 780.0, 2800.0, 150.0, 400.0]
    seconds = 60.0
    for method in ["RK45", "LSODA"]:
        start = time.perf_counter()
        sol = solve_ivp(rhs, (0, seconds), y0, method=method, max_step=0.005, rtol=1e-6, atol=1e-6)
        wall = time.perf_counter() - start
        total = sum(sol.y[:, -1])
        print(
            f"scipy solve_ivp {method}: {seconds:.0f} s simulated in {wall:.2f} s wall, "
            f"{seconds / wall:.1f}x real time ({sol.t.size} steps; volume {total:.1f} of {sum(y0):.1f} mL)"
        )


if __name__ == "__main__":
    main()
