#!/usr/bin/python3
"""tools/validate_dry.py — analysis of make validate-dry (tools/validate-dry.sh).

    validate_dry.py WORK_DIR OUT_DIR "42 85 170"

Reads what the runs left in WORK_DIR and writes OUT_DIR/summary.md, numbers as
JSON and pictures (PNG). Every stage is optional: missing runs are reported as
missing."""
import json
import os
import sys

import numpy as np

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

try:
    import netCDF4
except ImportError:  # pragma: no cover
    netCDF4 = None

work, out, truncs = sys.argv[1], sys.argv[2], [int(t) for t in sys.argv[3].split()]
os.makedirs(out, exist_ok=True)
lines = ["# Dry dynamical core validation (make validate-dry)", ""]
numbers = {}


def regrid(f, lat_f, lon_f, lat_c, lon_c):
    """bilinear: periodic in longitude, linear in latitude (held beyond the last row)"""
    lon_ext = np.concatenate([lon_f, [lon_f[0] + 360.0]])
    f_ext = np.concatenate([f, f[:, :1]], axis=1)
    g = np.array([np.interp(lon_c, lon_ext, row) for row in f_ext])
    order = np.argsort(lat_f)
    return np.array([np.interp(lat_c, lat_f[order], g[order, i]) for i in range(len(lon_c))]).T


def l2(diff, w):
    return float(np.sqrt((w[:, None] * diff**2).sum() / (w.sum() * diff.shape[1])))


# ---------------------------------------------------------------- JW06 wave
runs = {}
for T in truncs:
    p = os.path.join(work, f"jw06_T{T}.nc")
    if os.path.exists(p):
        d = netCDF4.Dataset(p)
        runs[T] = dict(ps=d["ps"][:] / 100.0, lat=d["lat"][:], lon=d["lon"][:], gw=d["gw"][:],
                       time=d["time"][:] / 24.0)
if runs:
    lines += ["## JW06 baroclinic wave (L26, CAM3 Eulerian settings)", "",
              "Minimum surface pressure (hPa) by day:", "",
              "| T | " + " | ".join(f"day {k}" for k in range(4, 11)) + " |",
              "|---|" + "---|" * 7]
    mins = {}
    for T, r in sorted(runs.items()):
        mins[T] = {int(round(t)): float(r["ps"][i].min()) for i, t in enumerate(r["time"])}
        lines.append(f"| T{T} | " + " | ".join(f"{mins[T].get(k, float('nan')):.2f}" for k in range(4, 11)) + " |")
    numbers["jw06_min_ps_hPa"] = mins
    lines += ["", "l2 difference of surface pressure between successive resolutions (hPa), the finer "
              "solution interpolated bilinearly to the coarser grid, area-weighted:", "",
              "| pair | day 7 | day 8 | day 9 | day 10 |", "|---|---|---|---|---|"]
    diffs = {}
    ts = sorted(runs)
    for lo, hi in zip(ts, ts[1:]):
        a, b = runs[lo], runs[hi]
        row = {}
        for day in (7, 8, 9, 10):
            ia = np.argmin(abs(a["time"] - day))
            ib = np.argmin(abs(b["time"] - day))
            if abs(a["time"][ia] - day) > 1e-6 or abs(b["time"][ib] - day) > 1e-6:
                continue
            fb = regrid(b["ps"][ib], b["lat"], b["lon"], a["lat"], a["lon"])
            row[day] = l2(a["ps"][ia] - fb, a["gw"])
        diffs[f"T{lo}-T{hi}"] = row
        lines.append(f"| T{lo} vs T{hi} | " + " | ".join(f"{row.get(k, float('nan')):.3f}" for k in (7, 8, 9, 10)) + " |")
    numbers["jw06_l2_ps_successive_hPa"] = diffs
    lines += ["", "JW06 judge a model by whether these differences fall below the uncertainty of the "
              "reference solutions (the spread between the high-resolution solutions of different "
              "cores, shown in their Figs. 10-11). Those values were not available to this run (the "
              "paper could not be consulted); the convergence is judged here by the differences "
              "shrinking with resolution, and the comparison with the published band is left to a "
              "reader with the paper.", ""]
    fig, axes = plt.subplots(len(runs), 1, figsize=(9, 2.6 * len(runs)), squeeze=False)
    for ax, (T, r) in zip(axes[:, 0], sorted(runs.items())):
        i9 = int(np.argmin(abs(r["time"] - 9)))
        nh = r["lat"] >= 0
        cs = ax.contourf(r["lon"], r["lat"][nh], r["ps"][i9][nh], levels=np.arange(940, 1024, 4), cmap="viridis",
                         extend="both")
        ax.set_title(f"JW06 surface pressure, day 9, T{T}L26 (min {r['ps'][i9].min():.1f} hPa)")
        ax.set_ylabel("latitude")
        fig.colorbar(cs, ax=ax, label="hPa")
    axes[-1, 0].set_xlabel("longitude")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "jw06_ps_day9.png"), dpi=90)
    plt.close(fig)

# ---------------------------------------------------------------- JW06 steady
p = os.path.join(work, "jw06_steady_T42.nc")
if os.path.exists(p):
    d = netCDF4.Dataset(p)
    u = d["u"][:]
    w = d["gw"][:]
    t = d["time"][:] / 24.0
    um = u.mean(axis=3)
    l2u = [float(np.sqrt((w[None, :] * (um[i] - um[0]) ** 2).sum() / (w.sum() * um.shape[1]))) for i in range(len(t))]
    nz = [float(abs(u[i] - um[i][:, :, None]).max()) for i in range(len(t))]
    numbers["jw06_steady_T42"] = {"day": [float(x) for x in t], "l2_zonal_mean_u": l2u, "max_nonzonal_u": nz}
    lines += ["## JW06 steady state, T42L26, 30 days", "",
              "l2 of the zonal-mean u minus its initial value (m/s; area-weighted, levels equally "
              "weighted) and the largest non-zonal u (from the output file, stored as float: "
              "7.6e-6 m/s is the float rounding of 35 m/s, i.e. zonal to the output's precision):",
              "", "| day | l2(u - u0) | max non-zonal u |", "|---|---|---|"]
    for i, day in enumerate(t):
        if int(round(day)) in (1, 5, 10, 15, 20, 25, 30):
            lines.append(f"| {day:.0f} | {l2u[i]:.3e} | {nz[i]:.3e} |")
    lines.append("")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.semilogy(t, np.maximum(l2u, 1e-16), label="l2(zonal-mean u - initial)")
    ax.semilogy(t, np.maximum(nz, 1e-16), label="max non-zonal u")
    ax.set_xlabel("day")
    ax.set_ylabel("m/s")
    ax.legend()
    ax.set_title("JW06 steady state, T42L26")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "jw06_steady.png"), dpi=90)
    plt.close(fig)

# ---------------------------------------------------------------- Held–Suarez
p = os.path.join(work, "hs_climate.json")
if os.path.exists(p):
    h = json.load(open(p))
    sig, lat = np.array(h["sigma"]), np.array(h["lat"])
    u, tm, tv = (np.array(h[k]) for k in ("u_zonal_mean", "t_zonal_mean", "t_eddy_variance"))
    k, j = np.unravel_index(np.argmax(u), u.shape)
    kv, jv = np.unravel_index(np.argmax(np.where(sig[:, None] > 0.5, tv, 0)), tv.shape)
    hs = {"days": h["days"], "samples": h["samples"], "spinup_days": h["spinup_days"],
          "jet_max_u": float(u[k, j]), "jet_sigma": float(sig[k]), "jet_lat": float(lat[j]),
          "jet_max_u_other_hemisphere": float(u[:, lat * lat[j] < 0].max()),
          "surface_u_max": float(u[-1].max()), "lower_eddy_tvar_max": float(tv[kv, jv]),
          "lower_eddy_tvar_sigma": float(sig[kv]), "lower_eddy_tvar_lat": float(lat[jv]),
          "t_min": float(tm.min()), "t_max": float(tm.max())}
    numbers["held_suarez"] = hs
    lines += [f"## Held-Suarez climate, T42L20, {h['days']:.0f} days, last "
              f"{h['days'] - h['spinup_days']:.0f} averaged ({h['samples']} daily samples)", "",
              f"- zonal-mean jet: {hs['jet_max_u']:.1f} m/s at sigma {hs['jet_sigma']:.3f}, latitude "
              f"{hs['jet_lat']:.1f} (other hemisphere {hs['jet_max_u_other_hemisphere']:.1f} m/s); "
              f"Held & Suarez (1994): about 30 m/s near 45 degrees, sigma ~0.25",
              f"- lowest-level westerlies up to {hs['surface_u_max']:.1f} m/s (HS94: almost 8 m/s near 45 degrees)",
              f"- lower-tropospheric eddy temperature variance: {hs['lower_eddy_tvar_max']:.1f} K^2 at sigma "
              f"{hs['lower_eddy_tvar_sigma']:.3f}, latitude {hs['lower_eddy_tvar_lat']:.1f}",
              f"- zonal-mean temperature {hs['t_min']:.1f} .. {hs['t_max']:.1f} K", ""]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    for ax, f, title, lev in ((axes[0], u, "zonal-mean u (m/s)", np.arange(-12, 36, 4)),
                              (axes[1], tm, "zonal-mean T (K)", np.arange(190, 320, 10)),
                              (axes[2], tv, "eddy T variance (K^2)", np.arange(0, 44, 4))):
        cs = ax.contourf(lat, sig, f, levels=lev, cmap="RdBu_r" if f is u else "viridis", extend="both")
        ax.contour(lat, sig, f, levels=lev, colors="k", linewidths=0.4)
        ax.invert_yaxis()
        ax.set_xlabel("latitude")
        ax.set_ylabel("sigma")
        ax.set_title(title)
        fig.colorbar(cs, ax=ax)
    fig.suptitle(f"Held-Suarez, T42L20, days {h['spinup_days']:.0f}-{h['days']:.0f}")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "held_suarez.png"), dpi=90)
    plt.close(fig)

json.dump(numbers, open(os.path.join(out, "validate-dry.json"), "w"), indent=1)
open(os.path.join(out, "summary.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
