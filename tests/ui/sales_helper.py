"""Issuing a sale directly through the point-of-sale use case (no keyboard), for tests that
need documents to exist."""
from __future__ import annotations

from app.pos import catalog, till
from app.pos.cart import Cart, settle


def sell(window, codes, buyer=None, medio="efectivo"):
    ctx = window.ctx
    cart = Cart()
    for c in codes:
        cart.add(catalog.find_product(ctx.conn, c))
    if buyer:
        cart.buyer = buyer
    total = cart.totals().total
    return till.complete_sale(ctx.session, cart, settle(total, [(medio, total)]), cashier=ctx.user.name,
                              establishment=ctx.establishment, point=ctx.point).result
