//! The theta parameterization of ordinal SEM against R lavaan 0.6.14 (`parameterization =
//! "theta"`) on HolzingerSwineford1939 items cut into 3–5 categories
//! (tests/fixtures/extra/ordinal_gaps.R → ordinal_gaps.json, data/HS_ordinal.csv).

use crate::common::*;
use crate::mimic::compare_skip;
use surveystat::sem::{Estimator, Parameterization, Sem, SemFit};

const CFA: &str = "vis =~ o1 + o2 + o3\ntex =~ o4 + o5 + o6\nspd =~ o7 + o8 + o9";
const ORD: [&str; 9] = ["o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9"];

#[test]
fn theta_parameterization_matches_lavaan() {
    let data = load_data("HS_ordinal.csv");
    for (case, model, est) in [
        ("cfa_wlsmv_theta", CFA.to_string(), Estimator::Wlsmv),
        ("cfa_dwls_theta", CFA.to_string(), Estimator::Dwls),
        ("cfa_ulsmv_theta", CFA.to_string(), Estimator::Ulsmv),
        ("sem_wlsmv_theta", format!("{CFA}\nspd ~ vis + tex"), Estimator::Wlsmv),
    ] {
        let fit = Sem::from_syntax(&model)
            .unwrap()
            .ordered(&ORD)
            .estimator(est)
            .parameterization(Parameterization::Theta)
            .fit(&data)
            .unwrap();
        // the `~1` rows (intercepts of y* and latent means, fixed at 0) are not reported, nor
        // are the measures the delta fits leave out (GFI family, RMR, ...)
        // ULSMV: the SE of spd =~ o9 (1.91) differs by 1.02e-5 relative; lavaan stops this fit at
        // max |gradient| 3.0e-7 (the fixture's `max_abs_gradient`), and the unweighted
        // objective is flat in that loading, so the SEs are compared at 2e-5 there
        let tol = if case == "cfa_ulsmv_theta" { 2.0 * TOL_SEM_EST } else { TOL_SEM_EST };
        let n = compare_skip(case, &fit, tol, TOL_SEM_CHISQ, &["~1"], false);
        let delta =
            Sem::from_syntax(&model).unwrap().ordered(&ORD).estimator(est).fit(&data).unwrap();
        let names =
            |f: &SemFit| f.fit_measures().iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
        assert_eq!(names(&fit), names(&delta), "{case}: the delta fit's measures");
        assert!(n >= 10, "{case}: {n} measures compared");
        // categorical ω does not depend on the parameterization
        let (wt, wd) =
            (fit.omega_categorical(true).unwrap(), delta.omega_categorical(true).unwrap());
        for ((f, a), (_, b)) in wt.iter().zip(wd.iter()) {
            assert_close(&format!("{case} omega {f}"), *a, *b, TOL_SEM_EST);
        }
    }
}
