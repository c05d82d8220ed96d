#!/usr/bin/python3
"""Quick-look map of a Njord (CF-NetCDF) output file.

usage: tools/quicklook.py FILE [VAR] [OUT.png] [--time INDEX]

Without VAR (or with VAR = ps_ta), a file with surface pressure `ps` (Pa) and temperature `ta` on
pressure levels (`plev`) gets a two-panel map: surface pressure in hPa (filled,
with contours every 4 hPa) and the temperature on the pressure level nearest
850 hPa (the title says which); OUT defaults to FILE with the extension
replaced by _ps_ta.png. Any other file gets a map of VAR, by default vor
(relative vorticity; the shallow-water model's output), OUT defaulting to FILE
with the extension replaced by _VAR.png; a VAR with levels is drawn on the
pressure level nearest 850 hPa, or on the lowest model level.
The time index defaults to the last step. Uses netCDF4 and matplotlib (Debian:
python3-netcdf4, python3-matplotlib); no map projection library is needed.
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import netCDF4  # noqa: E402
import numpy as np  # noqa: E402

COORDS = ("time", "lat", "lon", "gw", "lev", "ilev", "plev", "hyam", "hybm", "hyai", "hybi",
          "lev_bnds", "hyam_bnds", "hybm_bnds")
PA_PER = {"Pa": 1.0, "hPa": 100.0, "mbar": 100.0, "millibar": 100.0, "kPa": 1000.0}


def parse_args(argv):
    """FILE [VAR] [OUT.png] [--time INDEX] -> (positional args, time index)"""
    args, tidx, k = [], -1, 1
    while k < len(argv):
        a = argv[k]
        if a == "--time":
            if k + 1 >= len(argv):
                raise ValueError("--time needs an index")
            tidx = int(argv[k + 1])
            k += 2
            continue
        if a.startswith("--time="):
            tidx = int(a.split("=", 1)[1])
        elif a.startswith("--"):
            raise ValueError("unknown option " + a)
        else:
            args.append(a)
        k += 1
    return args, tidx


def when_text(ds, tidx):
    t = ds.variables["time"]
    dates = netCDF4.num2date(t[:], t.units, getattr(t, "calendar", "standard"))
    return f"{dates[tidx]} (+{float(t[tidx] - t[0]) / 24:.2f} days)"


def plev_pa(ds):
    p = ds.variables["plev"]
    units = getattr(p, "units", "Pa")
    if units not in PA_PER:
        raise ValueError(f"plev has units {units!r}, expected Pa or hPa")
    return np.asarray(p[:], dtype=float) * PA_PER[units]


def nearest_plev(ds, target=85000.0):
    """index of the pressure level nearest target (Pa) and its pressure in Pa"""
    p = plev_pa(ds)
    k = int(np.argmin(np.abs(p - target)))
    return k, float(p[k])


def level_slice(ds, v, tidx):
    """A 2-D field of variable v at time tidx, and a text naming the level."""
    idx, where = [], ""
    for d in v.dimensions:
        if d == "time":
            idx.append(tidx)
        elif d == "plev":
            k, p = nearest_plev(ds)
            idx.append(k)
            where = f" at {p / 100:g} hPa"
        elif d == "lev":
            idx.append(len(ds.dimensions["lev"]) - 1)
            where = " on the lowest model level"
        elif d in ("lat", "lon"):
            idx.append(slice(None))
        else:
            idx.append(0)
    return np.asarray(v[tuple(idx)], dtype=float), where


def has_ps_ta_plev(ds):
    return ("ps" in ds.variables and "ta" in ds.variables and "plev" in ds.variables
            and "plev" in ds.variables["ta"].dimensions
            and ds.variables["ps"].dimensions[-2:] == ("lat", "lon"))


def cyclic(lon, data):
    """append the first longitude at +360 so that contours close across 0 E"""
    return np.append(lon, lon[0] + 360.0), np.concatenate([data, data[:, :1]], axis=1)


def axes_style(ax):
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.set_xlim(0, 360)
    ax.set_ylim(-90, 90)


def two_panel(path, out, tidx):
    """surface pressure (hPa) and temperature near 850 hPa, one time step"""
    with netCDF4.Dataset(path) as ds:
        lat = np.asarray(ds.variables["lat"][:], dtype=float)
        lon = np.asarray(ds.variables["lon"][:], dtype=float)
        ps_v, ta_v = ds.variables["ps"], ds.variables["ta"]
        ps_units = getattr(ps_v, "units", "Pa")
        if ps_units not in PA_PER:
            raise ValueError(f"ps has units {ps_units!r}, expected Pa or hPa")
        ps, _ = level_slice(ds, ps_v, tidx)
        ps_hpa = ps * PA_PER[ps_units] / 100.0
        k, p = nearest_plev(ds)
        idx = tuple(tidx if d == "time" else k if d == "plev" else slice(None)
                    for d in ta_v.dimensions)
        ta = np.asarray(ta_v[idx], dtype=float)
        ta_units = getattr(ta_v, "units", "K")
        when = when_text(ds, tidx) if "time" in ps_v.dimensions else ""

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 9.5), constrained_layout=True)
    # surface pressure: filled every 4 hPa, with contour lines (labelled when few)
    lo = 4.0 * np.floor(np.nanmin(ps_hpa) / 4.0)
    hi = 4.0 * np.ceil(np.nanmax(ps_hpa) / 4.0)
    if hi <= lo:
        hi = lo + 4.0
    levels = np.arange(lo, hi + 2.0, 4.0)
    clon, cps = cyclic(lon, ps_hpa)
    cf = ax1.contourf(clon, lat, cps, levels=levels, cmap="viridis")
    cs = ax1.contour(clon, lat, cps, levels=levels, colors="k", linewidths=0.5)
    if len(levels) <= 30:
        ax1.clabel(cs, fmt="%g", fontsize=7)
    fig.colorbar(cf, ax=ax1, label="hPa", shrink=0.9)
    ax1.set_title("surface pressure (contours every 4 hPa)")
    axes_style(ax1)
    # temperature on the level nearest 850 hPa
    mesh = ax2.pcolormesh(lon, lat, ta, shading="nearest", cmap="RdYlBu_r")
    fig.colorbar(mesh, ax=ax2, label=ta_units, shrink=0.9)
    level = f"{p / 100:g} hPa"
    if abs(p - 85000.0) > 0.5:
        level += " (the pressure level nearest 850 hPa)"
    ax2.set_title(f"temperature at {level}")
    axes_style(ax2)
    if when:
        fig.suptitle(when)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    print(f"quicklook: wrote {out} (surface pressure, temperature at {p / 100:g} hPa)")
    return 0


def one_field(path, var, out, tidx):
    with netCDF4.Dataset(path) as ds:
        if var not in ds.variables or var in COORDS:
            print(f"quicklook: {path} has no variable {var!r} "
                  f"(has: {', '.join(v for v in ds.variables if v not in COORDS)})",
                  file=sys.stderr)
            return 1
        v = ds.variables[var]
        lat = ds.variables["lat"][:]
        lon = ds.variables["lon"][:]
        data, where = level_slice(ds, v, tidx)
        title = getattr(v, "long_name", var) + where
        units = getattr(v, "units", "")
        when = ""
        if "time" in v.dimensions:
            when = ", " + when_text(ds, tidx)
    fig, ax = plt.subplots(figsize=(11, 5), constrained_layout=True)
    lim = np.nanmax(np.abs(data))
    sym = np.nanmin(data) < 0 < np.nanmax(data)
    mesh = ax.pcolormesh(lon, lat, data, shading="nearest",
                         cmap="RdBu_r" if sym else "viridis",
                         vmin=-lim if sym else None, vmax=lim if sym else None)
    fig.colorbar(mesh, ax=ax, label=units, shrink=0.9)
    axes_style(ax)
    ax.set_title(f"{title}{when}")
    fig.savefig(out, dpi=110)
    plt.close(fig)
    print(f"quicklook: wrote {out}")
    return 0


def main(argv):
    try:
        args, tidx = parse_args(argv)
    except ValueError as e:
        print(f"quicklook: {e}\n{__doc__}", file=sys.stderr)
        return 2
    if not args or len(args) > 3:
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0]
    stem = path.rsplit(".", 1)[0]
    try:
        if len(args) == 1 or args[1] == "ps_ta":
            with netCDF4.Dataset(path) as ds:
                two = has_ps_ta_plev(ds)
            if two:
                return two_panel(path, args[2] if len(args) > 2 else stem + "_ps_ta.png", tidx)
            if len(args) > 1:
                print(f"quicklook: {path} has no ps and ta on pressure levels (plev)",
                      file=sys.stderr)
                return 1
        var = args[1] if len(args) > 1 else "vor"
        out = args[2] if len(args) > 2 else stem + "_" + var + ".png"
        return one_field(path, var, out, tidx)
    except (OSError, ValueError, IndexError) as e:
        print(f"quicklook: {path}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
