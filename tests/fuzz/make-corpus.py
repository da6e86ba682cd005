#!/usr/bin/env python3
"""Regenerates the seed corpora of the fuzz targets from the test vectors.

    tests/fuzz/make-corpus.py

corpus/rlp/       every encoding of the Ethereum RLP tests (valid and invalid)
                  and a few protocol transactions;
corpus/signedtx/  the signed transactions of protocol.json, their unsigned
                  forms, the deposit and fee transactions (unsigned and in
                  block form) and the invalid signed transactions.
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


if __name__ == "__main__":
    main()
