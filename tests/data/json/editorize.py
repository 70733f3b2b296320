"""Turns a `fluxo export` document into what the Opa editor would plausibly write:
ObjectId-shaped ids (timestamp + random), hand-placed canvas positions, no layout hint,
and editor-only keys the model does not know (which must survive a round trip)."""
import json, random, sys

def main(src, dst, seed):
    rnd = random.Random(seed)
    doc = json.load(open(src))
    ids = {}
    stamp = 0x65f1a000 + rnd.randrange(0, 0x10000)
    def collect(v):
        if isinstance(v, dict):
            if isinstance(v.get("_id"), str):
                ids.setdefault(v["_id"], None)
            for x in v.values():
                collect(x)
        elif isinstance(v, list):
            for x in v:
                collect(x)
    collect(doc)
    for old in ids:
        ids[old] = "%08x%016x" % (stamp + rnd.randrange(0, 5000), rnd.getrandbits(64))
    def rewrite(v):
        if isinstance(v, dict):
            return {k: rewrite(x) for k, x in v.items()}
        if isinstance(v, list):
            return [rewrite(x) for x in v]
        if isinstance(v, str) and v in ids:
            return ids[v]
        return v
    doc = rewrite(doc)
    for flow in doc.get("fluxos", []):
        flow.pop("estrutura", None)
        for i, card in enumerate(flow.get("cards", [])):
            card["posicao"] = {"x": rnd.choice([80, 112, 344.5, 560, 812]) + 24 * (i % 3),
                               "y": 96 + 188 * i + rnd.choice([0, 0, 12, 33.5])}
            if i % 2 == 0:
                card["corFundo"] = rnd.choice(["#fff", "#e8f4ff", "#fdf2e9"])
            if i % 3 == 1:
                card["minimizado"] = False
                card["editor"] = {"largura": 280, "notas": ["revisar texto"]}
    json.dump(doc, open(dst, "w"), ensure_ascii=False, indent=2)
    open(dst, "a").write("\n")

main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
