#!/usr/bin/env python3
"""Regenerates the seed corpora of the fuzz targets from the test vectors.

    tests/fuzz/make-corpus.py

corpus/rlp/       every encoding of the Ethereum RLP tests (valid and invalid)
                  and a few protocol transactions;
corpus/signedtx/  the signed transactions of protocol.json, their unsigned
                  forms, the deposit and fee transactions (unsigned and in
                  block form) and the invalid signed transactions;
corpus/call/      signed call envelopes: the example of docs/rootchain-api.md
                  and one envelope of every call kind (kinds 1-15);
corpus/keystore/  the keystore fixtures and variants of them;
corpus/opbody/    requests to every operator route (route byte, parameter,
                  NUL, body): transactions, batches, admin bodies;
corpus/rcbody/    requests to the root chain's routes likewise;
corpus/records/   operator records and a small chain store;
corpus/scenario/  the scenarios of tools/scenarios/.
Files are named by the SHA-1 of their content, as libFuzzer names its own.
Existing files are kept, so inputs added by hand (crash reproducers) stay."""
import hashlib
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
VECTORS = HERE.parent / "vectors"


def unhex(s):
    return bytes.fromhex(s[2:] if s.startswith("0x") else s)


def rlp_list_header(payload_len):
    if payload_len <= 55:
        return bytes([0xC0 + payload_len])
    n = payload_len.to_bytes((payload_len.bit_length() + 7) // 8, "big")
    return bytes([0xF7 + len(n)]) + n


def block_form(unsigned_rlp):
    """[[], fields...] from [fields...]: a tx as GET /v1/blocks carries it."""
    body = unsigned_rlp
    hdr = body[0]
    payload = body[1 + hdr - 0xF7:] if hdr > 0xF7 else body[1:]
    inner = b"\xc0" + payload
    return rlp_list_header(len(inner)) + inner


def rlp_encode(x):
    """Ethereum RLP of bytes, ints (big-endian, no leading zeros) and lists."""
    if isinstance(x, int):
        x = x.to_bytes((x.bit_length() + 7) // 8, "big") if x else b""
    if isinstance(x, (bytes, bytearray)):
        if len(x) == 1 and x[0] < 0x80:
            return bytes(x)
        return _rlp_len(len(x), 0x80) + bytes(x)
    payload = b"".join(rlp_encode(i) for i in x)
    return _rlp_len(len(payload), 0xC0) + payload


def _rlp_len(n, base):
    if n <= 55:
        return bytes([base + n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([base + 55 + len(b)]) + b


DEV_CONTRACT = unhex("0x5fbdb2315678afecb367f032d93f642f64180aa3")
DOC_CALL = ("0xf886f841827a69945fbdb2315678afecb367f032d93f642f64180aa380843b9aca0083030d4002940000000000"
            "000000000000000000000000000000880de0b6b3a7640000b84124c4b38ac573377d86c1d8688184bc3dde613011641a"
            "41c97260e061f1c12b0a4fcf3c3a3f83bcc22b75992edf0ac504ec22fed287b94600cca2156ecd04fe731b")


def call_envelopes(tx_signed, tx_unsigned):
    """One envelope per kind, arguments shaped as docs/inflight.md and
    docs/rootchain-calls.md list them, with a well-formed but wrong signature."""
    proof, addr, root = b"\x11" * 512, b"\x22" * 20, b"\x33" * 32
    args = {
        1: [addr, b"\x00" * 20, 5], 2: [b"\x00" * 20, 10**18], 3: [root],
        4: [1000000000, tx_unsigned, proof, 23300000000000000], 5: [1000000000, tx_signed, 0],
        6: [b"\x00" * 20, 10],
        7: [tx_signed, [tx_unsigned], [1000000000], [proof], 37000000000000000],
        8: [tx_signed, 0, 28000000000000000], 9: [tx_signed, 0, 28000000000000000],
        10: [tx_signed, 0, tx_signed, 0, 1000000000, proof], 11: [tx_signed, 1000000000, proof],
        12: [tx_signed, 0, tx_signed, 0], 13: [tx_signed, 1000000000, proof, tx_signed, 0],
        14: [2**255 + 5], 15: [b"\x00" * 20],
    }
    sig = b"\x01" * 32 + b"\x01" * 32 + b"\x1b"
    out = []
    for kind, a in args.items():
        env = [31337, DEV_CONTRACT, 0, 10**9, 300000, kind] + a
        out.append(rlp_encode([env, sig]))
    return out


def request(route, param, body):
    return bytes([route]) + param.encode() + b"\0" + body


def write(dirname, items):
    out = HERE / "corpus" / dirname
    out.mkdir(parents=True, exist_ok=True)
    for data in items:
        (out / hashlib.sha1(data).hexdigest()).write_bytes(data)
    print(f"{out}: {len(list(out.iterdir()))} files")


def main():
    proto = json.loads((VECTORS / "protocol.json").read_text())
    eth = VECTORS / "ethereum-tests"
    rlp_tests = {**json.loads((eth / "rlptest.json").read_text()),
                 **json.loads((eth / "invalidRLPTest.json").read_text())}
    txs = proto["transactions"]
    deposits = proto["merkle"]["blocks"][1]["unsigned_rlps"]
    dep, fee = proto["deposit"], proto["fee"]

    rlp = [unhex(t["out"]) for t in rlp_tests.values()]
    rlp += [unhex(t["signed_rlp"]) for t in txs[:4]]
    rlp += [unhex(t["unsigned_rlp"]) for t in txs[:2]]
    rlp += [unhex(deposits[0]), unhex(fee["unsigned_rlp"])]
    write("rlp", rlp)

    signed = [unhex(t["signed_rlp"]) for t in txs]
    signed += [unhex(t["unsigned_rlp"]) for t in txs]
    for r in (dep["unsigned_rlp"], fee["unsigned_rlp"], deposits[0], deposits[999]):
        signed += [unhex(r), block_form(unhex(r))]
    signed += [unhex(t["signed_rlp"]) for t in proto["invalid_signed_txs"]]
    write("signedtx", signed)

    tx_s, tx_u = unhex(txs[0]["signed_rlp"]), unhex(txs[0]["unsigned_rlp"])
    calls = [unhex(DOC_CALL)] + call_envelopes(tx_s, tx_u)
    write("call", calls)

    fixtures = HERE.parent / "fixtures" / "keystore"
    keystores = [p.read_bytes() for p in sorted(fixtures.glob("*.json")) if p.stat().st_size > 0]
    for k in list(keystores):
        j = json.loads(k)
        c = j.get("crypto", {})
        if "kdfparams" in c:
            c["kdf"] = "scrypt"
            c["kdfparams"] = {"n": 16, "r": 8, "p": 1, "dklen": 32, "salt": "ab" * 32}
            keystores.append(json.dumps(j).encode())
    write("keystore", keystores)

    tx_body = json.dumps({"tx": txs[0]["signed_rlp"]}).encode()
    batch = json.dumps({"txs": [t["signed_rlp"] for t in txs[:3]]}).encode()
    op = [request(1, "", batch), request(2, "", tx_body), request(3, txs[0]["txhash"] if "txhash" in txs[0]
                                                                    else "0x" + "00" * 32, b""),
          request(4, "1000", b""), request(6, "1000000000", b""), request(7, "1000000000", b""),
          request(13, "", json.dumps({"blknum": 1000}).encode()), request(14, "", tx_body),
          request(2, "", b'{"tx": "0x"}'), request(1, "", b'{"txs": []}')]
    write("opbody", op)

    rc = [request(r, p, b) for r, p, b in [
        (0, "", json.dumps({"call": DOC_CALL}).encode()), (1, "0x" + "11" * 32, b""), (2, "", b""),
        (3, "1", b""), (4, "1", b""), (5, "1000000000", b""), (6, "", b""),
        (7, "0x" + "00" * 20, b""), (8, "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", b""),
        (9, "", b""), (10, "", b""), (11, "", b'{"blocks": 2}'), (12, "", b'{"seconds": 60}'),
        (13, "", b'{"address": "0x1111111111111111111111111111111111111111", "amount": "5"}'),
        (14, "", b'{"address": "0x1111111111111111111111111111111111111111", '
                 b'"token": "0x7777777777777777777777777777777777777777", "amount": "5"}')]]
    write("rcbody", rc)

    owner, token = b"\x44" * 20, b"\x00" * 20
    records = [b"\x00" + owner + token + bytes([1, 0]), b"\x00" + owner + token + b"\x00" * 31 + b"\x07",
               b"\x01" + root_bytes(proto) + (1700000000).to_bytes(8, "big") + (3).to_bytes(4, "big") + b"\x01",
               b"\x02" + b"\x55" * 32 + token + b"\x00" * 32 + tx_s,
               b"\x03" + pair(b"c", b"\x01" * 40) + pair(b"h", b"\x02" * 60),
               b"\x03" + pair(b"c", b"\x02" + b"\x01" * 39) + pair(b"h", b"\x02" * 60)]
    write("records", records)

    scenarios = HERE.parent.parent / "tools" / "scenarios"
    write("scenario", [p.read_bytes() for p in sorted(scenarios.glob("*.json"))])


def root_bytes(proto):
    return unhex(proto["merkle"]["blocks"][0]["root"]) if "root" in proto["merkle"]["blocks"][0] else b"\x66" * 32


def pair(k, v):
    return bytes([len(k)]) + len(v).to_bytes(2, "big") + k + v


if __name__ == "__main__":
    main()
