"""tests/test_cf_interop.py — Njord's CF-NetCDF output read by xarray and CDO.

tests/cf_tool (build/<prec>/tests/cf_tool, built by the Makefile from
tests/cf_tool.c) writes a file with njord_cf_*: variables u v zg h vor div pv
(time-dependent) and orog (static) on a Gaussian grid, 3 steps at 0, 6, 12
"hours since 2000-01-01 00:00:00"; the k-th variable at step s, latitude phi,
longitude lam (degrees) is 10 k + s + cos(phi) cos(lam) + 0.5 sin(phi).

Run:  /usr/bin/python3 -m pytest -q tests/test_cf_interop.py
Environment: CF_TOOL (path of the helper; default build/dp/tests/cf_tool).
CDO checks skip where cdo is not installed; xarray checks skip without xarray.
"""
import os
import shutil
import subprocess

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NLAT, NLON = 32, 64
NAMES = ["u", "v", "zg", "h", "vor", "div", "pv", "orog"]
STANDARD = {"u": "eastward_wind", "v": "northward_wind", "zg": "geopotential_height",
            "vor": "atmosphere_relative_vorticity", "div": "divergence_of_wind",
            "orog": "surface_altitude"}


def tool_path():
    p = os.environ.get("CF_TOOL", os.path.join(ROOT, "build", "dp", "tests", "cf_tool"))
    if not os.access(p, os.X_OK):
        pytest.fail("helper %s not found: build it with `make build/dp/tests/cf_tool` "
                    "or set CF_TOOL" % p)
    return p


@pytest.fixture(scope="module")
def cf_file(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("cf") / "out.nc")
    r = subprocess.run([tool_path(), "write", path, str(NLAT), str(NLON), "1"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert os.path.exists(path)
    assert not [f for f in os.listdir(os.path.dirname(path)) if ".tmp-" in f]
    return path


def gaussian_lat_deg(n):
    x, _ = np.polynomial.legendre.leggauss(n)
    return np.degrees(np.arcsin(x[::-1]))  # north to south


def expected(k, s):
    lat = np.radians(gaussian_lat_deg(NLAT))[:, None]
    lon = np.radians(360.0 * np.arange(NLON) / NLON)[None, :]
    return 10.0 * k + s + np.cos(lat) * np.cos(lon) + 0.5 * np.sin(lat)


def test_xarray(cf_file):
    xr = pytest.importorskip("xarray")
    with xr.open_dataset(cf_file) as ds:  # decode_times and CF decoding by default
        assert ds.attrs["Conventions"] == "CF-1.10"
        assert ds.sizes["time"] == 3 and ds.sizes["lat"] == NLAT and ds.sizes["lon"] == NLON
        assert np.issubdtype(ds["time"].dtype, np.datetime64)
        want = np.array(["2000-01-01T00", "2000-01-01T06", "2000-01-01T12"],
                        dtype="datetime64[ns]")
        np.testing.assert_array_equal(ds["time"].values, want)
        assert ds["time"].encoding.get("calendar") == "standard"
        for c in ("time", "lat", "lon"):
            assert c in ds.coords
        assert ds["lat"].attrs["units"] == "degrees_north"
        assert ds["lon"].attrs["units"] == "degrees_east"
        # CF axis detection as xarray does it (cf_xarray-free: by the axis attribute)
        assert ds["lat"].attrs["axis"] == "Y" and ds["lon"].attrs["axis"] == "X"
        np.testing.assert_allclose(ds["lat"].values, gaussian_lat_deg(NLAT), atol=1e-12)
        np.testing.assert_allclose(ds["lon"].values, 360.0 * np.arange(NLON) / NLON,
                                   atol=1e-12)
        _, w = np.polynomial.legendre.leggauss(NLAT)
        np.testing.assert_allclose(ds["gw"].values, w[::-1], rtol=1e-12)
        for k, name in enumerate(NAMES):
            da = ds[name]
            assert da.dtype == np.float32
            if name in STANDARD:
                assert da.attrs["standard_name"] == STANDARD[name]
            else:
                assert "standard_name" not in da.attrs
            assert "units" in da.attrs and "long_name" in da.attrs
            if name == "orog":
                assert da.dims == ("lat", "lon")
                np.testing.assert_allclose(da.values, expected(k, 0), rtol=0, atol=1e-5 * 80)
            else:
                assert da.dims == ("time", "lat", "lon")
                for s in range(3):
                    np.testing.assert_allclose(da.isel(time=s).values, expected(k, s),
                                               rtol=0, atol=1e-5 * 80)
        # selection by time and coordinate works as users would write it
        pt = ds["u"].sel(time="2000-01-01T06:00", lon=90.0)
        np.testing.assert_allclose(pt.values, expected(0, 1)[:, NLON // 4], atol=1e-4)


def cdo(*args):
    if shutil.which("cdo") is None:
        pytest.skip("cdo not installed")
    r = subprocess.run(["cdo", "-s"] + list(args), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_cdo_sinfon(cf_file):
    out = cdo("sinfon", cf_file)
    for name in NAMES:
        assert any(line.split()[-1:] == [name] for line in out.splitlines()), \
            "variable %s not listed:\n%s" % (name, out)
    assert "gaussian" in out and "points=%d (%dx%d)" % (NLAT * NLON, NLON, NLAT) in out, out
    assert "F%d" % (NLAT // 2) in out, out
    assert "3 steps" in out, out
    assert "2000-01-01 06:00:00" in out and "2000-01-01 12:00:00" in out, out
    assert "Calendar = standard" in out, out


def test_cdo_griddes(cf_file):
    out = cdo("griddes", cf_file)
    grids = out.split("# gridID")
    full = [g for g in grids if "xsize     = %d" % NLON in g]
    assert full, out
    g = full[0]
    assert "gridtype  = gaussian" in g, g
    assert "ysize     = %d" % NLAT in g and "gridsize  = %d" % (NLAT * NLON) in g, g
    assert "numLPE    = %d" % (NLAT // 2) in g, g


def test_cdo_values(cf_file, tmp_path):
    """CDO reads the values: the global mean of orog (k = 7) with Gaussian weights is
    70 + (mean of cos(lat) cos(lon) = 0) + 0.5 (mean of sin(lat) = 0) = 70."""
    out = cdo("outputf,%.6f", "-fldmean", "-selname,orog", cf_file)
    assert abs(float(out.split()[0]) - 70.0) < 1e-4, out
