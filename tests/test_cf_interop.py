"""tests/test_cf_interop.py — Njord's CF-NetCDF output read by xarray and CDO.

tests/cf_tool (build/<prec>/tests/cf_tool, built by the Makefile from
tests/cf_tool.c) writes a file with njord_cf_*: variables u v zg h vor div pv
(time-dependent) and orog (static) on a Gaussian grid, 3 steps at 0, 6, 12
"hours since 2000-01-01 00:00:00"; the k-th variable at step s, latitude phi,
longitude lam (degrees) is 10 k + s + cos(phi) cos(lam) + 0.5 sin(phi).

Files with levels (njord_cf_create_3d) come from the cmocka test binary beside
cf_tool, run as `test_cf_output --write-3d ml|pl FILE` (tests/test_cf_output.c
describes the two files: 12 hybrid model levels and 6 pressure levels on the
same Gaussian grid, 2 steps; ta on model levels is linear in ln p).

Run:  /usr/bin/python3 -m pytest -q tests/test_cf_interop.py
Environment: CF_TOOL (path of the helper; default build/dp/tests/cf_tool),
CF_OUTPUT_TEST (the 3-D writer; default test_cf_output beside CF_TOOL).
CDO checks skip where cdo is not installed; xarray checks skip without xarray,
the quick-look check without matplotlib.
"""
import os
import shutil
import subprocess
import sys

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


# ---------------------------------------------------------------------------
# Files with levels: hybrid sigma-pressure model levels and pressure levels

NLEV = 12
PLEV = np.array([100000.0, 85000.0, 70000.0, 50000.0, 25000.0, 10000.0])


def writer3d_path():
    p = os.environ.get("CF_OUTPUT_TEST")
    if p is None:
        p = os.path.join(os.path.dirname(os.environ.get(
            "CF_TOOL", os.path.join(ROOT, "build", "dp", "tests", "cf_tool"))), "test_cf_output")
    if not os.access(p, os.X_OK):
        pytest.fail("3-D writer %s not found: build it with `make build/dp/tests/test_cf_output` "
                    "or set CF_OUTPUT_TEST" % p)
    return p


def write3d(tmp_path_factory, kind):
    path = str(tmp_path_factory.mktemp("cf3d_" + kind) / (kind + ".nc"))
    r = subprocess.run([writer3d_path(), "--write-3d", kind, path], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert os.path.exists(path)
    assert not [f for f in os.listdir(os.path.dirname(path)) if ".tmp-" in f]
    return path


@pytest.fixture(scope="module")
def ml_file(tmp_path_factory):
    return write3d(tmp_path_factory, "ml")


@pytest.fixture(scope="module")
def pl_file(tmp_path_factory):
    return write3d(tmp_path_factory, "pl")


def hybrid():
    """hyai, hybi (NLEV + 1, top to bottom), hyam, hybm as the writer defines them"""
    eta = np.arange(NLEV + 1) / NLEV
    hyai = 30000.0 * eta * (1.0 - eta)
    hybi = eta ** 2
    return hyai, hybi, 0.5 * (hyai[1:] + hyai[:-1]), 0.5 * (hybi[1:] + hybi[:-1])


def grid():
    lat = np.radians(gaussian_lat_deg(NLAT))[:, None]
    lon = np.radians(360.0 * np.arange(NLON) / NLON)[None, :]
    return lat, lon


def expected_ps(s):
    lat, lon = grid()
    return (100000.0 + 2000.0 * np.cos(lat) * np.cos(lon) + 500.0 * s * np.sin(lat)).astype(
        np.float32).astype(float)


def test_xarray_model_levels(ml_file):
    xr = pytest.importorskip("xarray")
    hyai, hybi, hyam, hybm = hybrid()
    with xr.open_dataset(ml_file) as ds:
        assert ds.sizes["lev"] == NLEV and ds.sizes["ilev"] == NLEV + 1
        assert ds.sizes["plev"] == len(PLEV) and ds.sizes["nbnd"] == 2
        for c in ("time", "lat", "lon", "lev", "ilev", "plev"):
            assert c in ds.coords, c
        lev = ds["lev"]
        assert lev.attrs["standard_name"] == "atmosphere_hybrid_sigma_pressure_coordinate"
        assert lev.attrs["formula_terms"] == "ap: hyam b: hybm ps: ps"
        assert lev.attrs["positive"] == "down" and lev.attrs["axis"] == "Z"
        assert lev.attrs["units"] == "1" and lev.attrs["bounds"] == "lev_bnds"
        assert ds["ilev"].attrs["formula_terms"] == "ap: hyai b: hybi ps: ps"
        np.testing.assert_allclose(lev.values, hyam / 1e5 + hybm, rtol=1e-15)
        np.testing.assert_allclose(ds["ilev"].values, hyai / 1e5 + hybi, rtol=1e-15)
        for name, want in (("hyam", hyam), ("hybm", hybm), ("hyai", hyai), ("hybi", hybi)):
            np.testing.assert_allclose(ds[name].values, want, rtol=1e-15, atol=1e-12)
        assert ds["hyam"].attrs["units"] == "Pa" and ds["hybm"].attrs["units"] == "1"
        bnds = ds["lev_bnds"].values
        np.testing.assert_allclose(bnds[:, 0], hyai[:-1] / 1e5 + hybi[:-1], rtol=1e-15)
        np.testing.assert_allclose(bnds[:, 1], hyai[1:] / 1e5 + hybi[1:], rtol=1e-15)
        assert ds["lev_bnds"].attrs["formula_terms"] == "ap: hyam_bnds b: hybm_bnds ps: ps"
        np.testing.assert_array_equal(ds["plev"].values, PLEV)  # as given
        assert ds["plev"].attrs["units"] == "Pa"
        assert ds["plev"].attrs["standard_name"] == "air_pressure"
        assert ds["ps"].dims == ("time", "lat", "lon")
        assert ds["ps"].attrs["standard_name"] == "surface_air_pressure"
        assert ds["ps"].attrs["units"] == "Pa"
        assert ds["ta"].dims == ("time", "lev", "lat", "lon") and ds["ta"].dtype == np.float32
        assert ds["ua"].dims == ("time", "lev", "lat", "lon")
        assert ds["zg"].dims == ("time", "plev", "lat", "lon")
        lat, lon = grid()
        for s in range(2):
            np.testing.assert_array_equal(ds["ps"].isel(time=s).values,
                                          expected_ps(s).astype(np.float32))
            for k in range(NLEV):
                np.testing.assert_allclose(ds["ua"].isel(time=s, lev=k).values,
                                           10.0 * k + s + np.cos(lat) * np.cos(lon),
                                           rtol=0, atol=1e-5 * 120)
            for k, p in enumerate(PLEV):
                np.testing.assert_allclose(ds["zg"].sel(plev=p).isel(time=s).values,
                                           -7000.0 * np.log(p / 1e5) + s + 0 * lat * lon,
                                           rtol=2e-7, atol=1e-4)
        # the formula terms do what CF says: p = ap + b ps, and ta = 288 + 30 ln(p / p0)
        p = ds["hyam"] + ds["hybm"] * ds["ps"].astype(float)
        assert set(p.dims) == {"time", "lev", "lat", "lon"}
        want = 288.0 + 30.0 * np.log(p.transpose("time", "lev", "lat", "lon").values / 1e5)
        np.testing.assert_allclose(ds["ta"].values, want, rtol=0, atol=1e-4)
        # selection by level works as users would write it
        assert float(ds["ta"].sel(lev=lev.values[-1]).isel(time=0).mean()) > 280.0


def test_xarray_pressure_levels(pl_file):
    xr = pytest.importorskip("xarray")
    with xr.open_dataset(pl_file) as ds:
        assert "lev" not in ds.dims and "hyam" not in ds.variables
        np.testing.assert_array_equal(ds["plev"].values, PLEV)
        assert ds["plev"].attrs["positive"] == "down" and ds["plev"].attrs["axis"] == "Z"
        assert ds["ta"].dims == ("time", "plev", "lat", "lon")
        lat, lon = grid()
        for s in range(2):
            for k, p in enumerate(PLEV):
                want = (288.0 + 30.0 * np.log(p / 1e5) + 20.0 * np.cos(lat) ** 2 - 10.0
                        + 2.0 * s * np.sin(lon))
                np.testing.assert_allclose(ds["ta"].isel(time=s).sel(plev=p).values, want,
                                           rtol=0, atol=1e-4)
        np.testing.assert_array_equal(ds["ps"].isel(time=1).values,
                                      expected_ps(1).astype(np.float32))


def zaxis_blocks(text):
    """cdo zaxisdes output -> list of {key: value text} (continuation lines joined)"""
    blocks, cur, key = [], None, None
    for line in text.splitlines():
        if line.startswith("# zaxisID"):
            cur = {}
            blocks.append(cur)
            key = None
        elif cur is None or line.startswith("#") or not line.strip():
            continue
        elif "=" in line and not line.startswith(" "):
            key, val = (x.strip() for x in line.split("=", 1))
            cur[key] = val
        elif key is not None:
            cur[key] += " " + line.strip()
    return blocks


def test_cdo_hybrid_axis(ml_file):
    """CDO sees a hybrid axis of NLEV levels whose vertical coordinate table (vct:
    NLEV + 1 interface A values in Pa, then NLEV + 1 B values) is our hyai, hybi."""
    hyai, hybi, hyam, hybm = hybrid()
    out = cdo("zaxisdes", ml_file)
    hyb = [b for b in zaxis_blocks(out) if b.get("zaxistype") == "hybrid"]
    assert len(hyb) == 1, out
    z = hyb[0]
    assert int(z["size"]) == NLEV, z
    assert z["name"] == "lev"
    np.testing.assert_allclose([float(x) for x in z["levels"].split()], hyam / 1e5 + hybm,
                               rtol=1e-13)
    assert int(z["vctsize"]) == 2 * (NLEV + 1), z
    vct = np.array([float(x) for x in z["vct"].split()])
    np.testing.assert_allclose(vct[:NLEV + 1], hyai, rtol=1e-13, atol=1e-9)
    np.testing.assert_allclose(vct[NLEV + 1:], hybi, rtol=1e-13, atol=1e-15)
    pres = [b for b in zaxis_blocks(out) if b.get("zaxistype") == "pressure"]
    assert len(pres) == 1 and [float(x) for x in pres[0]["levels"].split()] == list(PLEV)
    info = cdo("sinfon", ml_file)
    assert "hybrid" in info and "vct" in info and "ps: ps" in info, info


def test_cdo_ml2pl(ml_file, tmp_path):
    """cdo ml2pl,50000 interpolates ta (linear in ln p by construction) to 500 hPa.

    CDO computes the full-level pressure as the mean of the two interface
    pressures (hyai + hybi ps), which equals our hyam + hybm ps because hyam,
    hybm are the interface means, and interpolates *linearly in p* between the
    two full levels around 500 hPa (interp_T for air_temperature, extrapolation
    only below the lowest level). So:
      1. CDO's value equals the linear-in-p interpolation of the stored (float)
         ta, within 1e-3 K: the float32 rounding of ta (about 3e-5 K at 270 K)
         and of the output, with margin;
      2. it differs from the exact 288 + 30 ln(0.5) = 267.2056 K by the error of
         linear interpolation of ln p, 30 [ln p - lerp(ln p1, ln p2)] >= 0, at most
         30 (p2 - p1)^2 / (8 p1^2), about 0.19 K with these 12 levels (full
         levels about 10000 Pa apart near 500 hPa; the error found is 0.13 to
         0.15 K). The test asserts it is within that bound (+1e-3 K) and above
         0.05 K, which also shows CDO does not interpolate in ln p (that would
         be exact to the float rounding).
    ml2pl needs every variable on one horizontal grid: gw(lat) is not, so it is
    deleted first (CDO aborts with "variables on different horizontal grids")."""
    netCDF4 = pytest.importorskip("netCDF4")
    out = str(tmp_path / "p500.nc")
    cdo("ml2pl,50000", "-delname,gw", ml_file, out)
    hyai, hybi, _, _ = hybrid()
    with netCDF4.Dataset(ml_file) as src, netCDF4.Dataset(out) as dst:
        assert list(dst["plev"][:]) == [50000.0]
        for s in range(2):
            ps = np.asarray(src["ps"][s], dtype=float)
            ta = np.asarray(src["ta"][s], dtype=float)  # (lev, lat, lon)
            got = np.asarray(dst["ta"][s, 0], dtype=float)
            ph = hyai[:, None, None] + hybi[:, None, None] * ps[None]
            pf = 0.5 * (ph[1:] + ph[:-1])
            k = (pf < 50000.0).sum(axis=0) - 1  # full level above 500 hPa
            assert (k >= 0).all() and (k < NLEV - 1).all()
            p1 = np.take_along_axis(pf, k[None], 0)[0]
            p2 = np.take_along_axis(pf, k[None] + 1, 0)[0]
            t1 = np.take_along_axis(ta, k[None], 0)[0]
            t2 = np.take_along_axis(ta, k[None] + 1, 0)[0]
            lin = t1 + (50000.0 - p1) * (t2 - t1) / (p2 - p1)
            np.testing.assert_allclose(got, lin, rtol=0, atol=1e-3)
            exact = 288.0 + 30.0 * np.log(0.5)
            bound = 30.0 * (p2 - p1) ** 2 / (8.0 * p1 ** 2) + 1e-3
            err = exact - got
            assert (err > -1e-3).all() and (err <= bound).all(), (err.min(), err.max())
            assert err.max() > 0.05, err.max()


def test_quicklook_3d(pl_file, ml_file, tmp_path):
    """tools/quicklook.py draws surface pressure and 850 hPa temperature for a file
    with ps and ta on pressure levels; a file without them falls back to one field."""
    pytest.importorskip("matplotlib")
    png = str(tmp_path / "pl.png")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "quicklook.py"), pl_file,
                        "ps_ta", png], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "temperature at 850 hPa" in r.stdout, r.stdout
    with open(png, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    png = str(tmp_path / "zg.png")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "quicklook.py"), ml_file,
                        "zg", png, "--time", "0"], capture_output=True, text=True)
    assert r.returncode == 0 and os.path.getsize(png) > 0, r.stderr
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "quicklook.py"), ml_file,
                        "ps_ta", png], capture_output=True, text=True)
    assert r.returncode == 1 and "no ps and ta on pressure levels" in r.stderr, r.stderr
