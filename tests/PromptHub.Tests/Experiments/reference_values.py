"""Independent reference values for ExperimentStatisticsTests.

Run with SciPy (Debian: apt-get install python3-scipy; computed with SciPy 1.10.1, Python 3.11):
    /usr/bin/python3 tests/PromptHub.Tests/Experiments/reference_values.py
Every number the C# tests expect is printed here, computed with SciPy's own distributions and
integrals, not with the code under test.
"""
from math import sqrt

from scipy import integrate, stats

Z = stats.norm.ppf(0.975)


def rates(st, nt, sc, nc):
    pt, pc = st / nt, sc / nc
    se = sqrt(pt * (1 - pt) / nt + pc * (1 - pc) / nc)
    pooled = (st + sc) / (nt + nc)
    z = (pt - pc) / sqrt(pooled * (1 - pooled) * (1 / nt + 1 / nc))
    lift_var = (pt * (1 - pt) / nt) / pc**2 + pt**2 * (pc * (1 - pc) / nc) / pc**4
    lift = pt / pc - 1
    # chance to beat: P(Xt > Xc) = integral of pdf_t(x) * cdf_c(x) over [0, 1]
    bt, bc = stats.beta(1 + st, 1 + nt - st), stats.beta(1 + sc, 1 + nc - sc)
    chance, _ = integrate.quad(lambda x: bt.pdf(x) * bc.cdf(x), 0, 1, limit=500, epsabs=1e-13, epsrel=1e-12)
    print(f"rates {st}/{nt} vs {sc}/{nc}: diff={pt - pc!r} ci=({pt - pc - Z * se!r}, {pt - pc + Z * se!r})")
    print(f"  pooled z={z!r} p={2 * stats.norm.sf(abs(z))!r}")
    print(f"  lift={lift!r} ci=({lift - Z * sqrt(lift_var)!r}, {lift + Z * sqrt(lift_var)!r})")
    print(f"  chance to beat={chance!r}")


def means(mt, sdt, nt, mc, sdc, nc, lower_is_better):
    vt, vc = sdt**2 / nt, sdc**2 / nc
    se = sqrt(vt + vc)
    df = (vt + vc) ** 2 / (vt**2 / (nt - 1) + vc**2 / (nc - 1))
    welch = stats.ttest_ind_from_stats(mt, sdt, nt, mc, sdc, nc, equal_var=False)
    half = stats.t.ppf(0.975, df) * se
    lift = mt / mc - 1
    lift_se = sqrt(vt / mc**2 + mt**2 * vc / mc**4)
    t = (mt - mc) / se
    chance = stats.norm.cdf(-t if lower_is_better else t)
    print(f"means {mt},{sdt},{nt} vs {mc},{sdc},{nc}: diff={mt - mc!r} ci=({mt - mc - half!r}, {mt - mc + half!r})")
    print(f"  welch t={welch.statistic!r} df={df!r} p={welch.pvalue!r}")
    print(f"  lift={lift!r} ci=({lift - Z * lift_se!r}, {lift + Z * lift_se!r}) chance to beat={chance!r}")


def srm(observed, weights):
    total = sum(observed)
    expected = [total * w / sum(weights) for w in weights]
    result = stats.chisquare(observed, expected)
    print(f"srm {observed} vs {weights}: chi2={result.statistic!r} df={len(observed) - 1} p={result.pvalue!r}")


def beta_chance(at, bt, ac, bc):
    x, y = stats.beta(at, bt), stats.beta(ac, bc)
    chance, _ = integrate.quad(lambda v: x.pdf(v) * y.cdf(v), 0, 1, limit=500, epsabs=1e-13, epsrel=1e-12)
    print(f"beta P(Beta({at},{bt}) > Beta({ac},{bc}))={chance!r}")


rates(150, 1000, 120, 1000)
rates(48, 400, 61, 410)
means(0.72, 0.21, 240, 0.68, 0.25, 260, lower_is_better=False)
means(812.0, 240.0, 500, 870.0, 260.0, 480, lower_is_better=True)
srm([5000, 5300], [50, 50])
srm([2100, 2900, 5000], [20, 30, 50])
srm([1900, 3000, 5100], [20, 30, 50])
beta_chance(3, 2, 2, 3)
beta_chance(1, 1, 1, 1)
beta_chance(11, 91, 31, 71)
beta_chance(2001, 8001, 1951, 8051)
