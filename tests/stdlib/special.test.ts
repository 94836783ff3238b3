// Special functions (stdlib/special): accuracy against high-precision reference values (mpmath
// 1.3 at 50 digits: lgamma = mp.loggamma, digamma = mp.digamma, trigamma = mp.polygamma(1, .),
// erf/erfc = mp.erf/mp.erfc, log_ndtr = log(erfc(-x/sqrt 2)/2), or log1p(-erfc(x/sqrt 2)/2) for
// x > 0), identities (recurrences, reflection of erf, erf + erfc = 1) and derivatives (grad lgamma
// = digamma, grad erf = 2/sqrt(pi) exp(-x^2), grad log_ndtr = phi/Phi), all on the float64 ref
// backend. The measured worst errors are printed (and reported in docs/inference.md).
import { describe, expect, it } from 'vitest';
import { grad, ops as P, trace, runRef, type Tracer } from '../../runtime/index.js';
import * as S from '../../stdlib/special/index.js';
import { checkDerivatives } from '../helpers/ad_check.js';

// Reference values: mpmath 1.3 at 50 digits (see the header).
const LGAMMA: [number, number][] = [
  [1e-300, 690.7755278982137],
  [1e-10, 23.025850929882736],
  [1e-5, 11.512919692895826],
  [0.001, 6.907178885383853],
  [0.1, 2.252712651734206],
  [0.25, 1.2880225246980774],
  [0.4999, 0.5725613186041184],
  [0.5, 0.5723649429247001],
  [0.75, 0.20328095143129538],
  [0.9, 0.06637623973474295],
  [0.999, 0.0005780385328913802],
  [1.0, 0.0],
  [1.001, -0.0005763935982833062],
  [1.25, -0.09827183642181316],
  [1.4616321449683622, -0.12148629053584961],
  [1.5, -0.12078223763524522],
  [1.75, -0.08440112102048555],
  [1.999, -0.0004224618006921073],
  [2.0, 0.0],
  [2.001, 0.000423106734800117],
  [2.5, 0.2846828704729192],
  [2.51, 0.29173891549286796],
  [3.0, 0.6931471805599453],
  [3.7, 1.428072326665388],
  [4.5, 2.4537365708424423],
  [7.25, 7.0521854507385395],
  [9.99, 12.779315214350193],
  [10.0, 12.801827480081469],
  [10.01, 12.824350262448247],
  [15.5, 26.536914491115613],
  [33.3, 82.60372358165495],
  [100.0, 359.1342053695754],
  [1234.5, 7550.550901077895],
  [100000.0, 1051287.7089736569],
  [999999.0, 12815490.753638053],
];
const DIGAMMA: [number, number][] = [
  [1e-10, -10000000000.577215],
  [1e-5, -100000.57719921567],
  [0.001, -1000.5755719318103],
  [0.1, -10.423754940411076],
  [0.25, -4.2274535333762655],
  [0.4999, -1.9640035904016993],
  [0.5, -1.9635100260214235],
  [0.75, -1.0858608797864722],
  [0.999, -0.5788618021086455],
  [1.0, -0.5772156649015329],
  [1.001, -0.5755719318103006],
  [1.25, -0.22745353337626542],
  [1.5, 0.03648997397857652],
  [1.75, 0.24747245354686118],
  [2.0, 0.42278433509846713],
  [2.5, 0.7031566406452432],
  [3.0, 0.9227843350984671],
  [3.7, 1.1671535393615113],
  [4.5, 1.388870926359529],
  [7.25, 1.910453526883736],
  [9.99, 2.250700372831201],
  [10.0, 2.251752589066721],
  [10.01, 2.2528037003181356],
  [15.5, 2.7082352425903653],
  [100.0, 4.600161852738087],
  [1234.5, 7.118016231827998],
  [100000.0, 11.512920464961896],
  [999999.0, 13.81550905796319],
];
const TRIGAMMA: [number, number][] = [
  [0.001, 1000001.6425331958],
  [0.3, 12.245364546107732],
  [1.0, 1.6449340668482264],
  [1.7, 0.7932328301639984],
  [2.5, 0.49035775610023485],
  [6.0, 0.18132295573711532],
  [12.0, 0.08690187287176838],
  [100.0, 0.010050166663333571],
  [10000.0, 0.00010000500016666666],
];
const ERF: [number, number, number][] = [
  [-27.0, -1.0, 2.0],
  [-10.0, -1.0, 2.0],
  [-5.5, -0.9999999999999927, 1.9999999999999927],
  [-4.0001, -0.9999999845954353, 1.9999999845954353],
  [-4.0, -0.9999999845827421, 1.999999984582742],
  [-3.0, -0.9999779095030014, 1.9999779095030015],
  [-2.0, -0.9953222650189527, 1.9953222650189528],
  [-1.5, -0.9661051464753108, 1.9661051464753108],
  [-1.0, -0.8427007929497149, 1.8427007929497148],
  [-0.5, -0.5204998778130465, 1.5204998778130465],
  [-0.46875, -0.49261347321793797, 1.492613473217938],
  [-0.2, -0.22270258921047847, 1.2227025892104784],
  [-1e-8, -1.1283791670955126e-8, 1.0000000112837917],
  [0.0, 0.0, 1.0],
  [1e-8, 1.1283791670955126e-8, 0.9999999887162083],
  [0.1, 0.1124629160182849, 0.887537083981715],
  [0.3, 0.3286267594591274, 0.6713732405408726],
  [0.46875, 0.49261347321793797, 0.507386526782062],
  [0.47, 0.4937450508860821, 0.5062549491139179],
  [0.75, 0.7111556336535151, 0.28884436634648486],
  [1.0, 0.8427007929497149, 0.15729920705028513],
  [1.5, 0.9661051464753108, 0.033894853524689274],
  [2.0, 0.9953222650189527, 0.004677734981047266],
  [2.5, 0.999593047982555, 0.0004069520174449589],
  [3.0, 0.9999779095030014, 2.209049699858544e-5],
  [3.9, 0.9999999652077514, 3.4792248597231765e-8],
  [4.0, 0.9999999845827421, 1.541725790028002e-8],
  [4.1, 0.9999999932999724, 6.700027654084918e-9],
  [5.0, 0.9999999999984626, 1.537459794428035e-12],
  [6.0, 1.0, 2.1519736712498913e-17],
  [8.0, 1.0, 1.1224297172982926e-29],
  [10.0, 1.0, 2.088487583762545e-45],
  [15.0, 1.0, 7.212994172451207e-100],
  [20.0, 1.0, 5.395865611607901e-176],
  [26.0, 1.0, 5.663192408856143e-296],
];
const LOG_NDTR: [number, number][] = [
  [-100000.0, -5000000012.431864],
  [-1000.0, -500007.82669481216],
  [-100.0, -5005.524208694205],
  [-40.0, -804.6084420137538],
  [-30.0, -454.3212439563432],
  [-20.0, -203.91715537109727],
  [-10.0, -53.23128515051247],
  [-5.0, -15.064998393988725],
  [-3.0, -6.607726221510349],
  [-2.0, -3.783184333682032],
  [-1.0, -1.8410216450092636],
  [-0.7, -1.4189677615315315],
  [-0.66, -1.3679558848901994],
  [-0.5, -1.1759117615936185],
  [0.0, -0.6931471805599453],
  [0.5, -0.3689464152886564],
  [0.66, -0.29387040027781763],
  [0.7, -0.2770239422771313],
  [1.0, -0.17275377902344988],
  [2.0, -0.02301290932896349],
  [3.0, -0.0013508099647481938],
  [5.0, -2.866516129637636e-7],
  [8.0, -6.220960574271786e-16],
  [10.0, -7.619853024160525e-24],
  [20.0, -2.7536241186062337e-89],
  [37.0, -5.725571222524577e-300],
];

type F1 = (x: Tracer) => Tracer;
/** Evaluates an elementwise function on a vector of points on ref. */
function ev(f: F1, xs: readonly number[]): Float64Array {
  const g = trace((x) => f(x), [[xs.length]]);
  return runRef(g, [{ data: Float64Array.from(xs), shape: [xs.length] }])[0]!.data as Float64Array;
}
function ev2(f: (a: Tracer, b: Tracer) => Tracer, as: readonly number[], bs: readonly number[]): Float64Array {
  const g = trace((a, b) => f(a, b), [[as.length], [bs.length]]);
  return runRef(g, [
    { data: Float64Array.from(as), shape: [as.length] },
    { data: Float64Array.from(bs), shape: [bs.length] },
  ])[0]!.data as Float64Array;
}
/** Elementwise derivative of an elementwise function, by reverse mode. */
const d1 =
  (f: F1): F1 =>
  (x) =>
    grad((y: Tracer) => P.sum(f(y)))(x);

const relErr = (got: number, want: number) => (want === got ? 0 : Math.abs(got - want) / Math.abs(want));
function worstRel(
  f: F1,
  rows: readonly (readonly number[])[],
  col = 1,
  skip: (x: number) => boolean = () => false,
  tol: (x: number) => number = () => 1e-12,
): number {
  const use = rows.filter((r) => !skip(r[0]!));
  const got = ev(
    f,
    use.map((r) => r[0]!),
  );
  let w = 0;
  use.forEach((r, i) => {
    const e = relErr(got[i]!, r[col]!);
    expect(e, `x = ${r[0]}: got ${got[i]}, want ${r[col]}`).toBeLessThan(tol(r[0]!));
    w = Math.max(w, e);
  });
  return w;
}
const report: Record<string, string> = {};

describe('lgamma / digamma / trigamma', () => {
  it('lgamma matches mpmath to ~1e-15 relative on (0, 1e6), including near its zeros at 1 and 2', () => {
    const w = worstRel(S.lgamma, LGAMMA, 1, (x) => x === 1 || x === 2);
    report.lgamma = w.toExponential(1);
    expect(w).toBeLessThan(2e-15);
    // lgamma(1) = lgamma(2) = 0 exactly; known closed forms.
    const v = ev(S.lgamma, [1, 2, 0.5, 1.5, 3, 11]);
    expect(v[0]).toBe(0);
    expect(v[1]).toBe(0);
    expect(relErr(v[2]!, 0.5 * Math.log(Math.PI))).toBeLessThan(1e-15);
    expect(relErr(v[3]!, Math.log(Math.sqrt(Math.PI) / 2))).toBeLessThan(1e-15);
    expect(relErr(v[4]!, Math.LN2)).toBeLessThan(1e-15);
    expect(relErr(v[5]!, Math.log(3628800))).toBeLessThan(1e-15);
  });

  it('recurrence lgamma(x + 1) - lgamma(x) = log x across a grid', () => {
    const xs = Array.from({ length: 400 }, (_, i) => 0.01 * Math.pow(1.045, i));
    const a = ev(S.lgamma, xs);
    const b = ev(
      S.lgamma,
      xs.map((x) => x + 1),
    );
    xs.forEach((x, i) => {
      const scale = Math.max(1, Math.abs(a[i]!), Math.abs(b[i]!));
      expect(Math.abs(b[i]! - a[i]! - Math.log(x)) / scale, `x = ${x}`).toBeLessThan(4e-16 * 8);
    });
  });

  it('digamma matches mpmath (relative 1e-14; absolute 1e-15 at its root 1.46163)', () => {
    const w = worstRel(S.digamma, DIGAMMA);
    report.digamma = w.toExponential(1);
    expect(w).toBeLessThan(1e-14);
    const v = ev(S.digamma, [1, 0.5, 1.4616321449683622]);
    expect(relErr(v[0]!, -S.EULER_GAMMA)).toBeLessThan(1e-15);
    expect(relErr(v[1]!, -S.EULER_GAMMA - 2 * Math.LN2)).toBeLessThan(1e-15);
    expect(Math.abs(v[2]!)).toBeLessThan(1e-15);
  });

  it('trigamma (forward mode through digamma) matches mpmath', () => {
    const w = worstRel(S.trigamma, TRIGAMMA);
    report.trigamma = w.toExponential(1);
    expect(w).toBeLessThan(1e-13);
    expect(relErr(ev(S.trigamma, [1])[0]!, (Math.PI * Math.PI) / 6)).toBeLessThan(1e-14);
  });

  it('grad lgamma = digamma and grad digamma = trigamma (to the series accuracy)', () => {
    const xs = DIGAMMA.map((r) => r[0]).filter((x) => x !== 1.4616321449683622);
    const g = ev(d1(S.lgamma), xs);
    const d = ev(S.digamma, xs);
    let w = 0;
    xs.forEach((x, i) => {
      w = Math.max(w, relErr(g[i]!, DIGAMMA.find((r) => r[0] === x)![1]));
      expect(Math.abs(g[i]! - d[i]!), `x = ${x}`).toBeLessThan(1e-14 * Math.max(1, Math.abs(d[i]!)));
    });
    report['grad lgamma'] = w.toExponential(1);
    const t = ev(
      d1(S.digamma),
      TRIGAMMA.map((r) => r[0]),
    );
    TRIGAMMA.forEach(([x, y], i) => expect(relErr(t[i]!, y), `x = ${x}`).toBeLessThan(1e-13));
  });

  it('derivatives of every order check against finite differences (lgamma, digamma, lbeta)', () => {
    const xs = Float64Array.of(0.3, 0.9, 1.2, 2, 3.3, 7, 12, 40);
    checkDerivatives((x) => S.lgamma(x), [[8]], [xs]);
    checkDerivatives((x) => S.digamma(x), [[8]], [xs], { modes: { rev: true, fwd: true, order2: false } });
    checkDerivatives(
      (a, b) => S.lbeta(a, b),
      [[4], [4]],
      [Float64Array.of(0.5, 2, 3.5, 20), Float64Array.of(1.5, 0.7, 4, 30)],
    );
  });

  it('lbeta and lchoose', () => {
    const v = ev2(S.lbeta, [1, 2, 0.5, 10], [1, 3, 0.5, 20]);
    expect(relErr(v[0]!, 0) + Math.abs(v[0]!)).toBeLessThan(1e-15);
    expect(relErr(v[1]!, Math.log(1 / 12))).toBeLessThan(1e-14);
    expect(relErr(v[2]!, Math.log(Math.PI))).toBeLessThan(1e-14);
    // B(10, 20) = 9! 19! / 29!
    const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
    expect(relErr(v[3]!, Math.log((fact(9) * fact(19)) / fact(29)))).toBeLessThan(1e-13);
    const c = ev2(S.lchoose, [10, 52, 7], [3, 5, 0]);
    expect(relErr(c[0]!, Math.log(120))).toBeLessThan(1e-14);
    expect(relErr(c[1]!, Math.log(2598960))).toBeLessThan(1e-14);
    expect(Math.abs(c[2]!)).toBeLessThan(1e-15);
  });
});

describe('erf / erfc / erfcx / ndtr / log_ndtr', () => {
  it('erf and erfc match mpmath to ~1e-16 relative, tails included', () => {
    const we = worstRel(S.erf, ERF, 1, (x) => x === 0);
    const wc = worstRel(S.erfc, ERF, 2);
    report.erf = we.toExponential(1);
    report.erfc = wc.toExponential(1);
    expect(we).toBeLessThan(1e-15);
    expect(wc).toBeLessThan(2e-15);
    expect(ev(S.erf, [0])[0]).toBe(0);
    expect(ev(S.erf, [1])[0]).toBeCloseTo(0.8427007929497149, 15);
  });

  it('erf(x) + erfc(x) = 1 and erf(-x) = -erf(x) on a grid', () => {
    const xs = Array.from({ length: 201 }, (_, i) => -6 + 0.06 * i);
    const a = ev(S.erf, xs);
    const b = ev(S.erfc, xs);
    const an = ev(
      S.erf,
      xs.map((x) => -x),
    );
    xs.forEach((x, i) => {
      expect(Math.abs(a[i]! + b[i]! - 1), `x = ${x}`).toBeLessThan(3e-16);
      expect(a[i]! + an[i]!).toBe(0);
    });
  });

  it('erfcx(x) = exp(x^2) erfc(x), finite far in the tail', () => {
    const xs = [-2, -0.2, 0, 0.3, 1, 3, 10, 100, 1e5];
    const v = ev(S.erfcx, xs);
    xs.slice(0, 6).forEach((x, i) => {
      const want = Math.exp(x * x) * ERF.find((r) => r[0] === x)![2];
      expect(relErr(v[i]!, want), `x = ${x}`).toBeLessThan(1e-14);
    });
    // erfcx(x) ~ 1/(x sqrt(pi)) (1 - 1/(2 x^2)) for large x.
    expect(relErr(v[6]!, 0.05614099274382259)).toBeLessThan(1e-14); // mpmath exp(100) erfc(10)
    for (const [i, x] of [
      [7, 100],
      [8, 1e5],
    ] as const) {
      const asym = (1 / (x * Math.sqrt(Math.PI))) * (1 - 1 / (2 * x * x) + 3 / (4 * x ** 4) - 15 / (8 * x ** 6));
      expect(relErr(v[i]!, asym)).toBeLessThan(1e-13);
    }
  });

  it('log_ndtr matches mpmath from x = -1e5 to 37, including both tails', () => {
    // For x > 0 the tail 1 - Phi(x) has condition number ~x^2 in x (rounding x/sqrt 2 alone moves
    // it by x^2 eps relative), so the tolerance there scales with x^2.
    const w = worstRel(
      S.logNdtr,
      LOG_NDTR,
      1,
      () => false,
      (x) => 2e-15 + (x > 0 ? 4e-16 * x * x : 0),
    );
    report.log_ndtr = w.toExponential(1);
    const wNeg = worstRel(
      S.logNdtr,
      LOG_NDTR,
      1,
      (x) => x > 2,
      () => 2e-15,
    );
    report['log_ndtr (x <= 2)'] = wNeg.toExponential(1);
    // Asymptotics: log Phi(x) ~ -x^2/2 - log(-x) - log sqrt(2 pi) + log(1 - 1/x^2 + 3/x^4) for x -> -inf.
    const v = ev(S.logNdtr, [-30, -100]);
    for (const [i, x] of [
      [0, -30],
      [1, -100],
    ] as const) {
      const a =
        (-x * x) / 2 -
        Math.log(-x) -
        0.5 * Math.log(2 * Math.PI) +
        Math.log(1 - 1 / x ** 2 + 3 / x ** 4 - 15 / x ** 6 + 105 / x ** 8 - 945 / x ** 10 + 10395 / x ** 12);
      expect(relErr(v[i]!, a)).toBeLessThan(1e-15);
    }
    // ndtr where it is representable.
    const n = ev(S.ndtr, [0, 1.96, -1.96]);
    expect(n[0]).toBe(0.5);
    expect(n[1]).toBeCloseTo(0.9750021048517795, 15);
    expect(n[2]).toBeCloseTo(0.024997895148220435, 16);
  });

  it('grad erf = 2/sqrt(pi) exp(-x^2); grad log_ndtr = phi/Phi without cancellation', () => {
    const xs = [-7, -4.5, -2, -0.47, -0.3, 0, 0.2, 0.46875, 0.5, 1, 3.9, 4, 4.2, 6];
    const g = ev(d1(S.erf), xs);
    xs.forEach((x, i) =>
      expect(relErr(g[i]!, (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)), `x = ${x}`).toBeLessThan(1e-14),
    );
    const gc = ev(d1(S.erfc), xs);
    xs.forEach((x, i) =>
      expect(relErr(gc[i]!, (-2 / Math.sqrt(Math.PI)) * Math.exp(-x * x)), `x = ${x}`).toBeLessThan(1e-14),
    );
    // d/dx log Phi(x) -> -x for x -> -inf (inverse Mills ratio ~ -x - 1/x ...).
    const xl = [-1000, -100, -10, -1, 0, 2, 8];
    const gl = ev(d1(S.logNdtr), xl);
    const mills = (x: number) => {
      const lp = LOG_NDTR.find((r) => r[0] === x)?.[1];
      // The asymptotic series for x <= -50 (exp of the table's log Phi would lose x^2 eps there).
      return x <= -50
        ? -x - 1 / x + 2 / x ** 3 - 10 / x ** 5
        : Math.exp(-0.5 * x * x - 0.5 * Math.log(2 * Math.PI) - lp!);
    };
    xl.forEach((x, i) => expect(relErr(gl[i]!, mills(x)), `x = ${x}`).toBeLessThan(1e-12));
    checkDerivatives((x) => S.erf(x), [[6]], [Float64Array.of(-5, -1, -0.2, 0.3, 2, 4.5)]);
    checkDerivatives((x) => S.logNdtr(x), [[6]], [Float64Array.of(-40, -3, -0.5, 0.2, 1, 6)]);
  });
});

describe('log-space helpers', () => {
  it('log1mexp, logAddExp, logSubExp, xlogy, xlog1py, logMix', () => {
    const xs = [-1e-20, -1e-5, -0.5, -Math.LN2, -1, -30, -800];
    const v = ev(S.log1mexp, xs);
    xs.forEach((x, i) => {
      const want = x > -1 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
      expect(relErr(v[i]!, want), `x = ${x}`).toBeLessThan(1e-15);
    });
    const la = ev2(S.logAddExp, [0, -1000, 1000, -Infinity, -Infinity, 3], [0, -1001, 1000, 2, -Infinity, -Infinity]);
    expect(la[0]).toBeCloseTo(Math.LN2, 15);
    expect(relErr(la[1]!, -1000 + Math.log1p(Math.exp(-1)))).toBeLessThan(1e-15);
    expect(relErr(la[2]!, 1000 + Math.LN2)).toBeLessThan(1e-15);
    expect(la[3]).toBe(2);
    expect(la[4]).toBe(-Infinity);
    expect(la[5]).toBe(3);
    const ls = ev2(S.logSubExp, [0, 5, 1], [-1, 5, -Infinity]);
    expect(relErr(ls[0]!, Math.log(1 - Math.exp(-1)))).toBeLessThan(1e-15);
    expect(ls[1]).toBe(-Infinity);
    expect(ls[2]).toBe(1);
    const xl = ev2(S.xlogy, [0, 0, 2], [0, 5, 3]);
    expect(Array.from(xl)).toEqual([0, 0, 2 * Math.log(3)]);
    const x1 = ev2(S.xlog1py, [0, 2], [-1, 0.5]);
    expect(Array.from(x1)).toEqual([0, 2 * Math.log1p(0.5)]);
    const lm = trace(() => S.logMix(0.3, -1, -2), []);
    expect(runRef(lm, [])[0]!.data[0]).toBeCloseTo(Math.log(0.3 * Math.exp(-1) + 0.7 * Math.exp(-2)), 14);
    // Derivatives stay finite where the value is (no NaN from an unselected branch).
    const g = ev(
      d1((x) => S.logAddExp(x, P.constant([-Infinity, 0, 1]))),
      [-Infinity, 0, 1],
    );
    expect(Array.from(g)).toEqual([0, 0.5, 0.5]);
    const gx = ev(
      d1((y) => S.xlogy(P.constant([0, 1]), y)),
      [0, 2],
    );
    expect(Array.from(gx)).toEqual([0, 0.5]);
  });

  it('the function table exposes each special function by name with its arity', () => {
    for (const [name, f] of Object.entries(S.specialFunctions)) {
      const g = trace(
        (...xs: Tracer[]) => f.fn(...xs),
        Array.from({ length: f.arity }, () => [2]),
      );
      const args = Array.from({ length: f.arity }, (_, i) => ({
        data: Float64Array.of(i === 0 && name === 'log_mix' ? 0.3 : -0.5, -0.25),
        shape: [2],
      }));
      const out = runRef(g, args)[0]!;
      expect(out.shape, name).toEqual([2]);
    }
  });

  it('reports the measured accuracy', () => {
    // Printed for docs/inference.md (worst relative error over the reference tables).
    console.log('special-function accuracy (max relative error vs mpmath):', JSON.stringify(report));
    expect(Object.keys(report).length).toBeGreaterThan(0);
  });
});
