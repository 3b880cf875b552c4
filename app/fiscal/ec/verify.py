"""`verify`: checks any SRI document, ours or anybody's, and says what holds and what does not.

Accepts a bare comprobante, an `autorizacion` file (the comprobante inside CDATA) or a whole
autorización response. Each check reports on its own — a document can carry a valid signature
over wrong arithmetic — in this order: schema, signature, access_key, totals, rates (plus
'authorization' when the input was an authorization wrapper).
"""
from __future__ import annotations

from datetime import datetime

from app.core.errors import ValidationError
from app.fiscal import signer_report
from app.fiscal.base import Finding
from app.fiscal.ec import access_key, arithmetic, documents, schema, xades
from app.fiscal.ec.documents import rate_dates
from app.fiscal.ec.certificate import FACET as CERTIFICATES
from app.xmlsafe import parse_xml

DS_NS = "http://www.w3.org/2000/09/xmldsig#"

# Clave layout (REFERENCE §2.1): field name as the XML spells it, slice of the 49 digits.
CLAVE_FIELDS = (
    ("fechaEmision", slice(0, 8)),
    ("codDoc", slice(8, 10)),
    ("ruc", slice(10, 23)),
    ("ambiente", slice(23, 24)),
    ("estab", slice(24, 27)),
    ("ptoEmi", slice(27, 30)),
    ("secuencial", slice(30, 39)),
    ("tipoEmision", slice(47, 48)),
)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def find_signature(root):
    """The document's ds:Signature wherever it sits (xades.verify judges whether the place is right)."""
    return next(root.iter(f"{{{DS_NS}}}Signature"), None)


def _fecha_emision(root) -> str | None:
    """fechaEmision lives in the document's own info block (infoFactura, infoNotaCredito...)."""
    for block in root:
        name = _local(block.tag)
        if name.startswith("info") and name not in ("infoTributaria", "infoAdicional"):
            value = block.findtext("fechaEmision")
            if value is not None:
                return value.strip()
    return None


def _xml_values(root) -> dict[str, str | None]:
    def info(tag):
        value = root.findtext(f"infoTributaria/{tag}")
        return value.strip() if value is not None else None
    fecha = _fecha_emision(root)
    return {
        "fechaEmision": fecha.replace("/", "") if fecha else None,  # dd/mm/aaaa -> ddmmaaaa
        "codDoc": info("codDoc"), "ruc": info("ruc"), "ambiente": info("ambiente"), "estab": info("estab"),
        "ptoEmi": info("ptoEmi"), "secuencial": info("secuencial"), "tipoEmision": info("tipoEmision"),
    }


def access_key_problems(root) -> list[str]:
    """Spanish sentences: what is wrong with the clave itself and where it disagrees with the XML."""
    clave = (root.findtext("infoTributaria/claveAcceso") or "").strip()
    if not clave:
        return ["El documento no tiene clave de acceso (infoTributaria/claveAcceso)"]
    problems = [p[:1].upper() + p[1:] for p in access_key.validate(clave)]
    if len(clave) != 49 or not clave.isdigit():
        return problems or ["La clave de acceso debe tener 49 dígitos"]
    values = _xml_values(root)
    for name, where in CLAVE_FIELDS:
        in_xml = values[name]
        if in_xml is None:
            if name == "fechaEmision" and not getattr(documents.by_root(_local(root.tag)), "dated", True):
                continue  # the guía has no fechaEmision to compare with
            problems.append(f"El documento no tiene {name} para comparar con la clave de acceso")
        elif clave[where] != in_xml:
            problems.append(f"La clave de acceso no coincide con {name}: la clave dice {clave[where]}, "
                            f"el documento dice {in_xml}")
    return problems


def _unwrap(root, xml: bytes):
    """Finds the comprobante. Returns (exact bytes to check, its root, authorization facts or
    None, findings about the wrapper); the root is None when there is nothing to check."""
    if documents.by_root(_local(root.tag)):
        return xml, root, None, []
    autorizaciones = [el for el in root.iter() if _local(el.tag) == "autorizacion"]
    if not autorizaciones:
        if any(_local(el.tag) in ("autorizaciones", "RespuestaAutorizacionComprobante") for el in root.iter()):
            return xml, None, None, [Finding("xml", False, "La respuesta de autorización no contiene ninguna "
                                                           "autorización (el SRI aún no tiene el comprobante)")]
        return xml, None, None, [Finding("xml", False, "No es un comprobante del SRI ni una autorización: "
                                                       f"elemento raíz <{_local(root.tag)}>")]
    # REFERENCE §4.3: an AUTORIZADO entry wins, otherwise the last one.
    chosen = next((a for a in autorizaciones if (a.findtext("estado") or "").strip() == "AUTORIZADO"),
                  autorizaciones[-1])
    facts = {tag: (chosen.findtext(tag) or "").strip() for tag in ("estado", "numeroAutorizacion",
                                                                    "fechaAutorizacion", "ambiente")}
    text = chosen.findtext("comprobante")
    if not text or not text.strip():
        return xml, None, facts, [Finding("xml", False, "La autorización no contiene el comprobante")]
    # Check the exact text the wrapper carries (the parser already normalised its line endings).
    inner_bytes = text.strip().encode("utf-8")
    try:
        inner = parse_xml(inner_bytes)
    except ValidationError as exc:
        return xml, None, facts, [Finding("xml", False, "El comprobante dentro de la autorización no es XML "
                                          "válido: " + "; ".join(e.message for e in exc.errors))]
    if documents.by_root(_local(inner.tag)) is None:
        return xml, None, facts, [Finding("xml", False, f"La autorización contiene <{_local(inner.tag)}>, "
                                                        "que no es un comprobante del SRI")]
    return inner_bytes, inner, facts, []


def verify(xml: bytes) -> list[Finding]:
    try:
        root = parse_xml(xml)
    except ValidationError as exc:
        return [Finding("xml", False, "El documento no es XML válido: " + "; ".join(e.message for e in exc.errors))]
    doc_bytes, comprobante, auth, findings = _unwrap(root, xml)
    if comprobante is None:
        return findings

    errors = schema.validate(comprobante)
    if errors:
        findings += [Finding("schema", False, e) for e in errors]
    else:
        findings.append(Finding("schema", True, "El documento cumple el esquema XSD del SRI"))

    if find_signature(comprobante) is None:
        findings.append(Finding("signature", False, "El documento no está firmado"))
    else:
        signature_findings = xades.verify(doc_bytes)
        findings += signature_findings
        if all(f.ok for f in signature_findings):
            findings += certificate_findings(comprobante)

    problems = access_key_problems(comprobante)
    if problems:
        findings += [Finding("access_key", False, p) for p in problems]
    else:
        findings.append(Finding("access_key", True, "La clave de acceso es válida y coincide con el documento"))

    findings += arithmetic.check(comprobante)
    findings += rate_findings(comprobante)

    if auth is not None:
        findings.append(_authorization_finding(auth, comprobante))
    return findings


def rate_findings(comprobante) -> list[Finding]:
    """'rates': every IVA rate in force on the document's date (documents/rate_dates.py)."""
    problems = rate_dates.xml_problems(comprobante)
    if problems:
        return [Finding("rates", False, p) for p in problems]
    return [Finding("rates", True, "Las tarifas de IVA estaban vigentes en la fecha del documento")]


def _signing_time(signature) -> datetime | None:
    for el in signature.iter():
        if _local(el.tag) == "SigningTime" and el.text:
            try:
                when = datetime.fromisoformat(el.text.strip().replace("Z", "+00:00"))
            except ValueError:
                return None
            return when if when.tzinfo else None
    return None


def certificate_findings(comprobante) -> list[Finding]:
    """The signer's certificate: holder, RUC, issuer, validity at xades:SigningTime; its RUC must be
    the comprobante's (SRI error 39 'firma inválida'); the chain when the CA roots are shipped."""
    signature = find_signature(comprobante)
    if signature is None:
        return []
    cert, _key, _ = xades._key_info(signature)
    if cert is None:
        return []
    extra = []
    for text in signature.iter(f"{{{DS_NS}}}X509Certificate"):
        try:
            import base64

            from cryptography import x509
            extra.append(x509.load_der_x509_certificate(base64.b64decode("".join((text.text or "").split()))))
        except ValueError:
            continue
    ruc = (comprobante.findtext("infoTributaria/ruc") or "").strip()
    return signer_report.certificate_findings(cert, extra, country="ec", cert_ruc=CERTIFICATES.ruc_of(cert),
                                              issuer_ruc=ruc, same_ruc=CERTIFICATES.ruc_matches,
                                              signed_at=_signing_time(signature))


def _authorization_finding(auth: dict, comprobante) -> Finding:
    """What an `autorizacion` wrapper says is a claim: nothing in it is signed by the SRI, so an
    AUTORIZADO is reported as unverified (only a query to the SRI can confirm it)."""
    clave = (comprobante.findtext("infoTributaria/claveAcceso") or "").strip()
    if auth["estado"] != "AUTORIZADO":
        return Finding("authorization", False, f"La autorización dice {auth['estado'] or '(sin estado)'}")
    numero = auth["numeroAutorizacion"]
    # Offline scheme: the number is the clave. (Old online-scheme numbers had 37 digits.)
    if len(numero) == 49 and numero != clave:
        return Finding("authorization", False,
                       f"El número de autorización {numero} no es la clave de acceso del comprobante {clave}")
    when = auth["fechaAutorizacion"] or "(sin fecha)"
    return Finding("authorization", True, f"El archivo AFIRMA que el SRI lo autorizó el {when} en "
                                          f"{auth['ambiente'] or '(sin ambiente)'}; NO VERIFICADO (la autorización no "
                                          "está firmada: solo una consulta al SRI lo confirma)", unverified=True)
