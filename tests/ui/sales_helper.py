"""Issuing a sale directly through the point-of-sale use case (no keyboard), for tests that
need documents to exist."""
from __future__ import annotations

from app.pos import catalog, till
from app.pos.cart import Cart, settle


def sell(window, codes, buyer=None, medio="efectivo"):
    ctx = window.ctx
    country = ctx.session.company.country
    cart = Cart(country=country)
    for c in codes:
        cart.add(catalog.find_product(ctx.conn, c))
    if buyer:
        cart.buyer = buyer
    total = cart.totals().total
    return till.complete_sale(ctx.session, cart, settle(total, [(medio, total)], country=country), cashier=ctx.user.name,
                              establishment=ctx.establishment, point=ctx.point).result
