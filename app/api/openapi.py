"""The OpenAPI description of the mounted dialects and a self-contained page to try them
(no CDN: the API runs offline)."""
from __future__ import annotations

import html
import re

_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def describe(dialects) -> dict:
    paths: dict = {}
    for name, d in dialects.items():
        for r in d.routes:
            path = _PARAM.sub(r"{\1}", f"/{name}{r.path}")
            op = {"summary": r.summary, "tags": [d.title], "operationId": f"{name}_{r.method}_{r.path}",
                  "parameters": [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                                 for p in _PARAM.findall(r.path)],
                  "responses": {"200": {"description": "Respuesta del servicio, con su forma"},
                                "401": {"description": "Clave ausente o inválida"},
                                "400": {"description": "Entrada inválida: nombra cada campo"}}}
            if r.method == "POST":
                op["requestBody"] = {"content": {"application/json": {"schema": {"type": "object"}}}}
            paths.setdefault(path, {})[r.method.lower()] = op
    return {"openapi": "3.1.0",
            "info": {"title": "Mostrador — API local", "version": "1",
                     "description": "Las API de Dátil, FacturaSend y DTEpy servidas por el propio punto de venta."},
            "paths": paths,
            "components": {"securitySchemes": {
                "XKey": {"type": "apiKey", "in": "header", "name": "X-Key"},
                "Bearer": {"type": "http", "scheme": "bearer"},
                "AccessToken": {"type": "apiKey", "in": "header", "name": "x-access-token"}}}}


def docs_page(dialects) -> str:
    rows = []
    for name, d in dialects.items():
        for r in d.routes:
            rows.append(f"<tr><td>{r.method}</td><td><code>/{html.escape(name + r.path)}</code></td>"
                        f"<td>{html.escape(r.summary)}</td></tr>")
    return _PAGE.replace("{rows}", "\n".join(rows))


_PAGE = """<!doctype html><html lang="es"><head><meta charset="utf-8"><title>Mostrador — API local</title>
<style>body{font-family:sans-serif;margin:2em}td{padding:2px 8px}textarea{width:100%;height:12em}</style></head>
<body><h1>Mostrador — API local</h1><p>Descripción OpenAPI: <a href="/openapi.json">/openapi.json</a></p>
<table><tr><th>Método</th><th>Ruta</th><th>Qué hace</th></tr>{rows}</table>
<h2>Probar</h2><p>Método <select id="m"><option>POST</option><option>GET</option></select>
Ruta <input id="p" size="50" value="/datil/invoices/issue"></p>
<p>Cabeceras (JSON) <input id="h" size="80" value='{"X-Key": "api_key_…"}'></p>
<textarea id="b">{}</textarea><p><button onclick="go()">Enviar</button></p><pre id="o"></pre>
<script>
async function go(){const m=document.getElementById('m').value;const h=JSON.parse(document.getElementById('h').value||'{}');
h['Content-Type']='application/json';const o={method:m,headers:h};if(m!=='GET')o.body=document.getElementById('b').value;
const r=await fetch(document.getElementById('p').value,o);document.getElementById('o').textContent=r.status+'\\n'+await r.text();}
</script></body></html>"""
