/* lib/phys/held_suarez.c — Held & Suarez (1994, Bull. Amer. Meteor. Soc. 75,
 * 1825-1830) parameters; see held_suarez.h and kernels/common/hs_point.h. */
#include "held_suarez.h"

void nj_hs_defaults(nj_pe_consts *c)
{
    const double day = 86400.0;
    c->hs = 1;
    c->hs_kf = 1.0 / day;
    c->hs_ka = 1.0 / (40 * day);
    c->hs_ks = 1.0 / (4 * day);
    c->hs_sigb = 0.7;
    c->hs_dty = 60;
    c->hs_dthz = 10;
    c->hs_p0 = 1e5;
}
