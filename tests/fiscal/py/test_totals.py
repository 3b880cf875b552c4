from decimal import Decimal as D

from app.fiscal.py.totals import ItemInput, compute, item_amounts


def test_reference_worked_example():
    """REFERENCE §1.5 worked example, exact figures."""
    items = [ItemInput(D(55000), D(2), 1, D(100), 10), ItemInput(D(21000), D(1), 1, D(100), 5),
             ItemInput(D(5437), D(1), 3, D(0), 0), ItemInput(D(10500), D(1), 4, D(50), 10),
             ItemInput(D(10000), D(3), 1, D(100), 10)]
    rows, t = compute(items, round_to_50=True)
    assert [(r.total, r.base, r.iva, r.exempt_base) for r in rows] == [
        (D(110000), D(100000), D(10000), D(0)), (D(21000), D(20000), D(1000), D(0)),
        (D(5437), D(0), D(0), D(0)), (D(10500), D(5000), D(500), D(5000)),
        (D(30000), D("27272.72727273"), D("2727.27272727"), D(0))]
    assert (t.sub_exe, t.sub_exo, t.sub5, t.sub10, t.tot_ope) == (D(10437), 0, D(21000), D(145500), D(176937))
    assert (t.redon, t.tot_gral) == (D(37), D(176900))
    assert (t.iva5, t.iva10, t.tot_iva) == (D(1000), D(13227), D(14227))
    assert (t.base5, t.base10, t.tbase, t.liq_iva5, t.liq_iva10) == (D(20000), D(132273), D(152273), 0, 0)


def test_without_sedeco_rounding_total_is_exact():
    _, t = compute([ItemInput(D(107437), D(1))])
    assert (t.redon, t.tot_gral) == (0, D(107437))
    _, t = compute([ItemInput(D(47789), D(1))], round_to_50=True)
    assert (t.redon, t.tot_gral) == (D(39), D(47750))


def test_discount_and_exonerado():
    r = item_amounts(ItemInput(D(11000), D(2), 1, D(100), 10, discount=D(1000)))
    assert (r.gross, r.total, r.discount_pct, r.base, r.iva) == (D(22000), D(20000), D("9.09090909"),
                                                                 D("18181.81818182"), D("1818.18181818"))
    _, t = compute([ItemInput(D(5000), D(1), 2, D(0), 0)])
    assert (t.sub_exo, t.tot_iva) == (D(5000), 0)


def test_foreign_currency_two_decimals_and_total_gs():
    rows, t = compute([ItemInput(D("10.55"), D(3), 1, D(100), 10)], currency="USD",
                      exchange_rate=D("7300.5"))
    assert rows[0].total == D("31.65") and t.tot_gral == D("31.65")
    assert t.iva10 == D("2.88") and t.total_gs == D(231061)  # 31.65 × 7300.5 = 231060.83
