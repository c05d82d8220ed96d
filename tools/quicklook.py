#!/usr/bin/python3
"""Quick-look map of one field of a Njord (CF-NetCDF) output file.

usage: tools/quicklook.py FILE [VAR] [OUT.png] [--time INDEX]

VAR defaults to vor (relative vorticity), the time index to the last step, OUT to
FILE with the extension replaced by _VAR.png. Uses netCDF4 and matplotlib (Debian:
python3-netcdf4, python3-matplotlib); no map projection library is needed.
"""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import netCDF4  # noqa: E402
import numpy as np  # noqa: E402


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    tidx = -1
    if "--time" in argv:
        tidx = int(argv[argv.index("--time") + 1])
        args = [a for a in args if a != str(tidx)]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    path = args[0]
    var = args[1] if len(args) > 1 else "vor"
    out = args[2] if len(args) > 2 else path.rsplit(".", 1)[0] + "_" + var + ".png"
    with netCDF4.Dataset(path) as ds:
        if var not in ds.variables:
            print(f"quicklook: {path} has no variable {var!r} "
                  f"(has: {', '.join(v for v in ds.variables if v not in ('time', 'lat', 'lon', 'gw'))})",
                  file=sys.stderr)
            return 1
        v = ds.variables[var]
        lat = ds.variables["lat"][:]
        lon = ds.variables["lon"][:]
        data = v[tidx] if "time" in v.dimensions else v[:]
        title = getattr(v, "long_name", var)
        units = getattr(v, "units", "")
        when = ""
        if "time" in v.dimensions:
            t = ds.variables["time"]
            dates = netCDF4.num2date(t[:], t.units, getattr(t, "calendar", "standard"))
            when = f", {dates[tidx]} (+{float(t[tidx] - t[0]) / 24:.2f} days)"
    data = np.asarray(data)
    fig, ax = plt.subplots(figsize=(11, 5), constrained_layout=True)
    lim = np.nanmax(np.abs(data))
    sym = np.nanmin(data) < 0 < np.nanmax(data)
    mesh = ax.pcolormesh(lon, lat, data, shading="nearest",
                         cmap="RdBu_r" if sym else "viridis",
                         vmin=-lim if sym else None, vmax=lim if sym else None)
    fig.colorbar(mesh, ax=ax, label=units, shrink=0.9)
    ax.set_xlabel("longitude (degrees east)")
    ax.set_ylabel("latitude (degrees north)")
    ax.set_xlim(0, 360)
    ax.set_ylim(-90, 90)
    ax.set_title(f"{title}{when}")
    fig.savefig(out, dpi=110)
    print(f"quicklook: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
