//! The benchmark workload generator: writes a seeded, synthetic but realistic
//! dimap workspace (two caches, a connection set, 300 maps in 30 files, one
//! 20,000-line file, a 100-line file) and, beside it, the same maps as a YAML
//! document with a JSON Schema of the same entities for the reference run
//! against yaml-language-server. The same seed and scale give the same bytes.
//!
//! Usage: `dimap-bench-gen --out DIR [--scale 1] [--seed 42]`.

use std::fmt::Write as _;
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};

/// A SplitMix64 generator: tiny, fast and stable across platforms and
/// releases, which a crate's generator would not promise.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next() as usize % items.len()]
    }
}

const FIELDS_PER_ENTITY: usize = 150;
const FILES: usize = 30;

const PREFIXES: &[&str] = &[
    "Customer",
    "Vendor",
    "Product",
    "Sales",
    "Purchase",
    "Ledger",
    "Inventory",
    "Project",
    "Worker",
    "Asset",
    "Budget",
    "Bank",
    "Tax",
    "Warehouse",
    "Production",
    "Release",
    "Payment",
    "Invoice",
    "Quality",
    "Retail",
    "Expense",
    "Position",
    "Catalog",
    "Shipment",
    "Route",
];
const SUFFIXES: &[&str] = &[
    "Groups",
    "Lines",
    "Headers",
    "Addresses",
    "Contacts",
    "Journals",
    "Transactions",
    "Settings",
    "Categories",
    "Terms",
    "Charges",
    "Policies",
    "Versions",
    "Attributes",
    "Rules",
];
const WORDS: &[&str] = &[
    "account",
    "amount",
    "balance",
    "batch",
    "carrier",
    "city",
    "class",
    "color",
    "comment",
    "config",
    "cost",
    "country",
    "county",
    "currency",
    "date",
    "delivery",
    "department",
    "description",
    "discount",
    "district",
    "email",
    "external",
    "factor",
    "fax",
    "group",
    "height",
    "invoice",
    "item",
    "language",
    "length",
    "level",
    "limit",
    "location",
    "margin",
    "method",
    "mode",
    "note",
    "number",
    "owner",
    "percent",
    "phone",
    "pool",
    "price",
    "priority",
    "quantity",
    "rate",
    "reason",
    "reference",
    "region",
    "revision",
    "schedule",
    "segment",
    "sequence",
    "site",
    "size",
    "source",
    "state",
    "status",
    "street",
    "style",
    "target",
    "tier",
    "type",
    "unit",
    "url",
    "volume",
    "weight",
    "width",
    "zone",
    "zip",
];

/// What a pair of fields (one per side) is; each kind is compatible across
/// sides by construction so that the generated maps check clean.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Text(u32),
    Memo,
    Integer,
    Decimal,
    Date,
    DateTime,
    /// An enum on the left and a choice with the same members on the right,
    /// which needs a `value_map`.
    Members(usize),
    /// A NoYes enum on the left and a boolean on the right.
    NoYes,
    /// A code on the left and a lookup to a global entity on the right,
    /// mapped as `lookup.msdyn_code`.
    Lookup(usize),
    /// A text whose left side is longer than its right: DIMAP0009 when it
    /// flows left to right. Mapped only where a finding is wanted.
    ShortText,
    /// Read-only on the right (`createdon`-like): mapped right to left only.
    ReadOnlyRight,
}

struct Concept {
    fo: String,
    dv: String,
    kind: Kind,
    required: bool,
}

struct Pair {
    fo: String,
    dv: String,
    company: bool,
    concepts: Vec<Concept>,
}

struct Workload {
    pairs: Vec<Pair>,
    /// Indexes of the global pairs that lookups point at.
    global: usize,
}

fn entity_names(i: usize) -> (String, String) {
    let pre = PREFIXES[i % PREFIXES.len()];
    let suf = SUFFIXES[(i / PREFIXES.len()) % SUFFIXES.len()];
    let fo = format!("{pre}{suf}{i:04}");
    let dv = format!("msdyn_{}{}{i:04}", pre.to_lowercase(), suf.to_lowercase());
    (fo, dv)
}

fn build(entities: usize, seed: u64) -> Workload {
    // A tenth of the entities are global reference tables (no company): the
    // targets of lookups, as groups and terms are in a real environment.
    let global = (entities / 10).max(1);
    let mut pairs = Vec::with_capacity(entities);
    for i in 0..entities {
        let mut rng = Rng::new(seed ^ (i as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
        let (fo, dv) = entity_names(i);
        let company = i >= global;
        let mut concepts = vec![
            Concept { fo: "CODE".into(), dv: "msdyn_code".into(), kind: Kind::Text(20), required: true },
            Concept { fo: "NAME".into(), dv: "msdyn_name".into(), kind: Kind::Text(100), required: true },
            Concept { fo: "SHORTNOTE".into(), dv: "msdyn_shortnote".into(), kind: Kind::ShortText, required: false },
            Concept { fo: "CREATEDON".into(), dv: "createdon".into(), kind: Kind::ReadOnlyRight, required: false },
        ];
        // The fixed fields of each side: dataAreaId on the left; the primary
        // id, the company, statecode and versionnumber on the right.
        let fixed_fo = if company { 1 } else { 0 };
        let fixed_dv = 3 + usize::from(company);
        let budget = FIELDS_PER_ENTITY - fixed_fo.max(fixed_dv);
        let mut used = std::collections::HashSet::new();
        let mut n = 0;
        while concepts.len() < budget {
            n += 1;
            let word = *rng.pick(WORDS);
            let name = if used.insert(word) { word.to_string() } else { format!("{word}{n}") };
            let kind = match rng.range(0, 19) {
                0..=6 => Kind::Text(*rng.pick(&[10, 20, 40, 60, 100, 255])),
                7 => Kind::Memo,
                8 | 9 => Kind::Integer,
                10 | 11 => Kind::Decimal,
                12 => Kind::Date,
                13 => Kind::DateTime,
                14 | 15 => Kind::Members(rng.range(2, 8)),
                16 => Kind::NoYes,
                _ => Kind::Lookup(rng.range(0, global - 1)),
            };
            // Two more required fields per entity, beyond code and name.
            let required = concepts.len() < 6 && !matches!(kind, Kind::Lookup(_));
            let fo_name = match kind {
                Kind::Lookup(_) => format!("{}ID", name.to_uppercase()),
                _ => name.to_uppercase(),
            };
            let dv_name = match kind {
                Kind::Lookup(_) => format!("msdyn_{name}id"),
                _ => format!("msdyn_{name}"),
            };
            concepts.push(Concept { fo: fo_name, dv: dv_name, kind, required });
        }
        pairs.push(Pair { fo, dv, company, concepts });
    }
    Workload { pairs, global }
}

fn members(k: usize) -> Vec<(String, i64)> {
    const NAMES: &[&str] = &["None", "Open", "Active", "OnHold", "Closed", "Blocked", "Pending", "Archived"];
    (0..k).map(|m| (NAMES[m].to_string(), m as i64)).collect()
}

fn fo_field(c: &Concept) -> Value {
    let mut f = Map::new();
    f.insert("name".into(), json!(c.fo));
    match c.kind {
        Kind::Text(n) => {
            f.insert("type".into(), json!("string"));
            f.insert("max_length".into(), json!(n));
        }
        Kind::ShortText => {
            f.insert("type".into(), json!("string"));
            f.insert("max_length".into(), json!(60));
        }
        Kind::Memo => {
            f.insert("type".into(), json!("memo"));
        }
        Kind::Integer => {
            f.insert("type".into(), json!("integer"));
        }
        Kind::Decimal => {
            f.insert("type".into(), json!("decimal"));
            f.insert("precision".into(), json!(32));
            f.insert("scale".into(), json!(6));
        }
        Kind::Date => {
            f.insert("type".into(), json!("date"));
        }
        Kind::DateTime | Kind::ReadOnlyRight => {
            f.insert("type".into(), json!("datetime"));
        }
        Kind::Members(k) => {
            f.insert("type".into(), json!("enum"));
            let values: Map<String, Value> = members(k).into_iter().map(|(n, v)| (n, json!(v))).collect();
            f.insert("values".into(), Value::Object(values));
        }
        Kind::NoYes => {
            f.insert("type".into(), json!("enum"));
            f.insert("values".into(), json!({ "No": 0, "Yes": 1 }));
        }
        Kind::Lookup(_) => {
            f.insert("type".into(), json!("string"));
            f.insert("max_length".into(), json!(20));
        }
    }
    if c.required {
        f.insert("required".into(), json!(true));
    }
    Value::Object(f)
}

fn dv_field(c: &Concept, pairs: &[Pair]) -> Value {
    let mut f = Map::new();
    f.insert("name".into(), json!(c.dv));
    match c.kind {
        Kind::Text(n) => {
            f.insert("type".into(), json!("string"));
            f.insert("max_length".into(), json!(n));
        }
        Kind::ShortText => {
            f.insert("type".into(), json!("string"));
            f.insert("max_length".into(), json!(40));
        }
        Kind::Memo => {
            f.insert("type".into(), json!("memo"));
        }
        Kind::Integer => {
            f.insert("type".into(), json!("integer"));
        }
        Kind::Decimal => {
            f.insert("type".into(), json!("decimal"));
            f.insert("precision".into(), json!(32));
            f.insert("scale".into(), json!(6));
        }
        Kind::Date => {
            f.insert("type".into(), json!("date"));
        }
        Kind::DateTime | Kind::ReadOnlyRight => {
            f.insert("type".into(), json!("datetime"));
        }
        Kind::Members(k) => {
            f.insert("type".into(), json!("choice"));
            let options: Map<String, Value> =
                members(k).into_iter().map(|(n, v)| (n, json!(192_350_000 + v))).collect();
            f.insert("options".into(), Value::Object(options));
        }
        Kind::NoYes => {
            f.insert("type".into(), json!("boolean"));
        }
        Kind::Lookup(t) => {
            f.insert("type".into(), json!("lookup"));
            f.insert("target".into(), json!(pairs[t].dv));
        }
    }
    if c.required {
        f.insert("required".into(), json!(true));
    }
    if c.kind == Kind::ReadOnlyRight {
        f.insert("read_only".into(), json!(true));
    }
    Value::Object(f)
}

fn write_json(path: &Path, value: &Value) {
    let file = fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, value).expect("write json");
    out.write_all(b"\n").expect("write json");
}

const ORGS: &[&str] = &["USMF", "DEMF", "USRT", "GBSI"];

fn write_caches(root: &Path, w: &Workload) {
    let schemas = root.join(".dimap/schemas");
    fs::create_dir_all(&schemas).expect("schema folder");
    let fo_entities: Vec<Value> = w
        .pairs
        .iter()
        .map(|p| {
            let mut fields: Vec<Value> = Vec::new();
            let mut key = vec![json!("CODE")];
            let mut e = Map::new();
            e.insert("name".into(), json!(p.fo));
            e.insert("kind".into(), json!("standard"));
            if p.company {
                e.insert("company_field".into(), json!("dataAreaId"));
                fields.push(json!({ "name": "dataAreaId", "type": "string", "max_length": 4, "required": true }));
                key.insert(0, json!("dataAreaId"));
            }
            e.insert("keys".into(), json!([{ "name": "EntityKey", "fields": key }]));
            fields.extend(p.concepts.iter().map(fo_field));
            e.insert("fields".into(), Value::Array(fields));
            Value::Object(e)
        })
        .collect();
    write_json(
        &schemas.join("bench-fo.json"),
        &json!({
            "format": 1, "environment": "bench-fo", "app": "finance_and_operations",
            "refreshed": "2026-11-20T10:00:00Z", "connection": { "status": "connected" },
            "organizations": ORGS, "entities": fo_entities,
        }),
    );
    let mut dv_entities: Vec<Value> = vec![json!({
        "name": "cdm_company", "kind": "standard", "entity_set": "cdm_companies",
        "keys": [{ "name": "cdm_companycodekey", "fields": ["cdm_companycode"] }],
        "fields": [
            { "name": "cdm_companyid", "type": "guid" },
            { "name": "cdm_companycode", "type": "string", "max_length": 4, "required": true },
            { "name": "cdm_name", "type": "string", "max_length": 100 },
            { "name": "versionnumber", "type": "bigint", "read_only": true },
        ],
    })];
    dv_entities.extend(w.pairs.iter().map(|p| {
        let mut e = Map::new();
        e.insert("name".into(), json!(p.dv));
        e.insert("kind".into(), json!("standard"));
        e.insert("entity_set".into(), json!(format!("{}s", p.dv)));
        let mut key = vec![json!("msdyn_code")];
        let mut fields = vec![json!({ "name": format!("{}id", p.dv), "type": "guid" })];
        if p.company {
            e.insert("company_field".into(), json!("msdyn_company"));
            key.push(json!("msdyn_company"));
            fields
                .push(json!({ "name": "msdyn_company", "type": "lookup", "target": "cdm_company", "required": true }));
        }
        e.insert("keys".into(), json!([{ "name": format!("{}key", p.dv), "fields": key }]));
        fields.push(json!({ "name": "statecode", "type": "choice", "options": { "Active": 0, "Inactive": 1 } }));
        fields.extend(p.concepts.iter().map(|c| dv_field(c, &w.pairs)));
        fields.push(json!({ "name": "versionnumber", "type": "bigint", "read_only": true }));
        e.insert("fields".into(), Value::Array(fields));
        Value::Object(e)
    }));
    write_json(
        &schemas.join("bench-dv.json"),
        &json!({
            "format": 1, "environment": "bench-dv", "app": "dataverse",
            "refreshed": "2026-11-20T10:00:00Z", "connection": { "status": "connected" },
            "organizations": ORGS, "entities": dv_entities,
        }),
    );
}

/// One generated map, kept as lines so that the YAML twin and the
/// benchmark positions come from the same data.
struct MapText {
    name: String,
    pair: usize,
    /// `(left, symbol, right, transform)` of each field line.
    lines: Vec<(String, String, String, String)>,
    filters: Vec<String>,
    one_way: bool,
}

/// A map of `pair` that fills about `target` lines of text. `warn` maps the
/// short-text field both ways, which gives one DIMAP0009 warning.
fn make_map(name: String, pair: usize, p: &Pair, target: usize, rng: &mut Rng, warn: bool) -> MapText {
    let one_way = !warn && rng.chance(15);
    let mut filters = Vec::new();
    if rng.chance(30) {
        filters.push("filter fo '((CODE != \"\"))'".to_string());
    }
    if !one_way && rng.chance(30) {
        filters.push("filter dv 'statecode eq 0'".to_string());
    }
    let room = target.saturating_sub(3 + filters.len()).max(4);
    let mut chosen: Vec<usize> = (0..p.concepts.len())
        .filter(|&i| p.concepts[i].required || (warn && p.concepts[i].kind == Kind::ShortText))
        .collect();
    let mut optional: Vec<usize> = (0..p.concepts.len())
        .filter(|&i| !p.concepts[i].required && p.concepts[i].kind != Kind::ShortText)
        .filter(|&i| !(one_way && p.concepts[i].kind == Kind::ReadOnlyRight))
        .collect();
    // A partial Fisher-Yates shuffle picks the optional fields of this map.
    for i in 0..optional.len() {
        let j = rng.range(i, optional.len() - 1);
        optional.swap(i, j);
    }
    chosen.extend(optional.into_iter().take(room.saturating_sub(chosen.len())));
    chosen.sort();
    let lines = chosen
        .into_iter()
        .map(|i| {
            let c = &p.concepts[i];
            let (sym, right, transform) = match c.kind {
                Kind::Members(k) => {
                    let entries: Vec<String> =
                        members(k).iter().map(|(n, v)| format!("{n} = {}", 192_350_000 + v)).collect();
                    ("><", c.dv.clone(), format!("value_map {{ {} }}", entries.join(", ")))
                }
                Kind::NoYes => ("><", c.dv.clone(), "value_map { No = false, Yes = true }".to_string()),
                Kind::Lookup(_) => ("=", format!("{}.msdyn_code", c.dv), String::new()),
                Kind::ReadOnlyRight => ("<", c.dv.clone(), String::new()),
                _ => ("=", c.dv.clone(), String::new()),
            };
            let sym = match (one_way, sym) {
                (true, "><") => ">>",
                (true, _) => ">",
                (false, s) => s,
            };
            (c.fo.clone(), sym.to_string(), right, transform)
        })
        .collect();
    MapText { name, pair, lines, filters, one_way }
}

/// Renders a map aligned in columns as `dimap fmt` would; returns the text
/// and, for each field line, its line offset from the header.
fn render_map(m: &MapText, w: &Workload, out: &mut String) {
    let p = &w.pairs[m.pair];
    let dir = if m.one_way { ">" } else { "=" };
    let _ = writeln!(out, "  map {} fo.{} {dir} dv.{} {{", m.name, p.fo, p.dv);
    for f in &m.filters {
        let _ = writeln!(out, "    {f}");
    }
    let lw = m.lines.iter().map(|l| l.0.len()).max().unwrap_or(0);
    let rw = m.lines.iter().map(|l| l.2.len()).max().unwrap_or(0);
    for (left, sym, right, transform) in &m.lines {
        let line = if transform.is_empty() {
            format!("    {left:lw$} {sym:2} {right}")
        } else {
            format!("    {left:lw$} {sym:2} {right:rw$} {transform}")
        };
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out.push_str("  }\n");
}

fn map_lines(m: &MapText) -> usize {
    m.lines.len() + m.filters.len() + 2
}

/// A 0-based line and a UTF-16 column (the text is ASCII).
fn position(text: &str, needle_line_prefix: &str, column_of: &str) -> (usize, usize) {
    for (n, line) in text.lines().enumerate() {
        if line.starts_with(needle_line_prefix) {
            let col = line.find(column_of).unwrap_or(0);
            return (n, col);
        }
    }
    panic!("no line starts with {needle_line_prefix:?}");
}

struct Args {
    out: PathBuf,
    scale: f64,
    seed: u64,
}

fn args() -> Args {
    let mut args = Args { out: PathBuf::from("bench/out/scale-1"), scale: 1.0, seed: 42 };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--out" => args.out = PathBuf::from(value()),
            "--scale" => args.scale = value().parse().expect("--scale takes a number"),
            "--seed" => args.seed = value().parse().expect("--seed takes a whole number"),
            "-h" | "--help" => {
                println!("usage: dimap-bench-gen --out DIR [--scale 1] [--seed 42]");
                std::process::exit(0);
            }
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

fn scaled(n: usize, scale: f64) -> usize {
    ((n as f64 * scale).round() as usize).max(1)
}

fn main() {
    let a = args();
    let entities = scaled(5000, a.scale).max(20);
    let maps = scaled(300, a.scale);
    let files = scaled(FILES, a.scale).min(maps);
    let big_lines = scaled(20_000, a.scale);
    let w = build(entities, a.seed);
    let root = a.out.clone();
    if root.exists() {
        fs::remove_dir_all(&root).expect("clear the output folder");
    }
    fs::create_dir_all(root.join("maps")).expect("output folder");
    fs::write(
        root.join("dimap.toml"),
        "# Generated by bench/gen: the benchmark workspace.\nschemas = \".dimap/schemas\"\n",
    )
    .expect("dimap.toml");
    write_caches(&root, &w);
    let mut conn = String::from("# The benchmark's connection set: one finance and operations environment\n# and one Dataverse environment, linked by their legal entities.\n");
    conn.push_str("connection_set bench {\n  finance_and_operations fo \"bench-fo\"\n  dataverse              dv \"bench-dv\"\n\n");
    for o in ORGS {
        let _ = writeln!(conn, "  organization fo \"{o}\" = dv \"{o}\"");
    }
    conn.push_str("}\n");
    fs::write(root.join("connections.dimap"), conn).expect("connections");

    let mut rng = Rng::new(a.seed.wrapping_mul(31).wrapping_add(7));
    // Maps use the company-specific pairs, spread over the whole cache so
    // that lookups into its far end are exercised too.
    let company_pairs: Vec<usize> = (w.global..w.pairs.len()).collect();
    let mut next_pair = 0usize;
    let mut take_pair = |rng: &mut Rng| {
        let step = (company_pairs.len() / (maps + 200)).max(1);
        next_pair = (next_pair + step + rng.range(0, step.saturating_sub(1))) % company_pairs.len();
        company_pairs[next_pair]
    };
    let per_file = maps.div_ceil(files);
    let mut made = 0;
    let mut total_lines = 0;
    for f in 0..files {
        let mut text = format!("# Area {f:02} of the benchmark maps.\nproject \"Area {f:02}\" dual_write bench {{\n\n");
        for _ in 0..per_file {
            if made == maps {
                break;
            }
            let pair = take_pair(&mut rng);
            let target = rng.range(20, 150);
            // About one map in twenty carries a finding, as a real project
            // under way does.
            let warn = rng.chance(5);
            let m = make_map(format!("map_{made:03}"), pair, &w.pairs[pair], target, &mut rng, warn);
            render_map(&m, &w, &mut text);
            text.push('\n');
            made += 1;
        }
        text.push_str("}\n");
        total_lines += text.lines().count();
        fs::write(root.join(format!("maps/area_{f:02}.dimap")), text).expect("map file");
    }

    // The single large file, and the YAML twin of it for the reference run.
    let mut big_maps = Vec::new();
    let mut lines = 3;
    let mut n = 0;
    while lines < big_lines {
        let pair = take_pair(&mut rng);
        let target = rng.range(100, 150).min(big_lines - lines + 4).max(20);
        let m = make_map(format!("bulk_{n:04}"), pair, &w.pairs[pair], target, &mut rng, n == 0);
        lines += map_lines(&m) + 1;
        big_maps.push(m);
        n += 1;
    }
    let mut big = String::from(
        "# One large project: every map of a big estate in one file.\nproject \"Bulk\" dual_write bench {\n\n",
    );
    for m in &big_maps {
        render_map(m, &w, &mut big);
        big.push('\n');
    }
    big.push_str("}\n");
    fs::create_dir_all(root.join("big")).expect("big folder");
    fs::write(root.join("big/bulk.dimap"), &big).expect("big file");

    let pair = take_pair(&mut rng);
    let small_map = make_map("small_map".into(), pair, &w.pairs[pair], 97, &mut rng, true);
    let mut small =
        String::from("# A project of one map, about a hundred lines.\nproject \"Small\" dual_write bench {\n");
    render_map(&small_map, &w, &mut small);
    small.push_str("}\n");
    fs::write(root.join("maps/small.dimap"), &small).expect("small file");

    // Positions for the driver: the edit appends to a left field name in the
    // middle of the file (making it unknown, DIPV1022) and the next edit
    // removes that character again, so each version changes the findings.
    let mid = &big_maps[big_maps.len() / 2];
    let mid_line = &mid.lines[mid.lines.len() / 2];
    let mid_header = format!("  map {} ", mid.name);
    let (hl, _) = position(&big, &mid_header, "map");
    let big_lines_vec: Vec<&str> = big.lines().collect();
    let edit_line = (hl..big_lines_vec.len())
        .find(|&n| big_lines_vec[n].trim_start().starts_with(&format!("{} ", mid_line.0)))
        .expect("the middle line");
    let edit_text = big_lines_vec[edit_line];
    let left_start = edit_text.find(&mid_line.0).unwrap();
    let edit_char = left_start + mid_line.0.len();
    let sym_at = left_start + edit_text[left_start..].find(&format!(" {} ", mid_line.1)).unwrap() + 1;
    let right_at = sym_at + mid_line.1.len() + 1;
    let header_line = big_lines_vec[hl];
    let fo_entity_at = header_line.find(" fo.").unwrap() + 4;
    let dv_entity_at = header_line.find(" dv.").unwrap() + 4;

    let (sl, _) = position(&small, &format!("    {} ", small_map.lines[small_map.lines.len() / 2].0), "    ");
    let small_text: Vec<&str> = small.lines().collect();
    let small_left = small_map.lines[small_map.lines.len() / 2].0.clone();
    let small_char = small_text[sl].find(&small_left).unwrap() + small_left.len();

    let abs = |rel: &str| root.join(rel).canonicalize().unwrap().to_string_lossy().into_owned();
    let scenario = json!({
        "label": "dimap",
        "root": abs("."),
        "language_id": "dimap",
        "init_options": { "diagnostics": { "debounceMs": 0 } },
        "configuration": {},
        "expect_findings": true,
        "big": { "path": abs("big/bulk.dimap"), "edit": { "line": edit_line, "character": edit_char, "text": "X" } },
        "small": { "path": abs("maps/small.dimap"), "edit": { "line": sl, "character": small_char, "text": "X" } },
        "completion": [
            { "what": "right-side field after the direction symbol", "file": "big", "line": edit_line, "character": right_at },
            { "what": "left-side field at the start of a line", "file": "big", "line": edit_line, "character": left_start },
            { "what": "entity name after `fo.` in a map header (5,000 entities at 1x)", "file": "big", "line": hl, "character": fo_entity_at },
        ],
        "hover": [
            { "what": "left field", "file": "big", "line": edit_line, "character": left_start + 1 },
            { "what": "right field", "file": "big", "line": edit_line, "character": right_at + 1 },
            { "what": "entity in a map header", "file": "big", "line": hl, "character": dv_entity_at + 1 },
        ],
    });
    write_json(&root.join("scenario-dimap.json"), &scenario);

    write_yaml_twin(&root, &w, &big_maps, &small_map, &scenario);

    let summary = json!({
        "scale": a.scale, "seed": a.seed, "entities_per_cache": entities, "fields_per_entity": FIELDS_PER_ENTITY,
        "maps": made, "map_files": files, "map_file_lines": total_lines, "big_file_lines": big.lines().count(),
        "big_file_maps": big_maps.len(), "small_file_lines": small.lines().count(),
    });
    write_json(&root.join("workload.json"), &summary);
    println!("{summary}");
}

/// The reference workload for yaml-language-server: the large file's maps as
/// a YAML document (one `FIELD: right` line per mapping line), validated by a
/// JSON Schema that describes every entity of both caches, field by field.
/// It is a reference point: JSON Schema cannot express most of dimap's rules.
fn write_yaml_twin(root: &Path, w: &Workload, big_maps: &[MapText], small_map: &MapText, scenario: &Value) {
    let yroot = root.join("yaml");
    fs::create_dir_all(&yroot).expect("yaml folder");
    let describe = |v: &Value| -> Value {
        let ty = v["type"].as_str().unwrap_or("string");
        let mut d = ty.to_string();
        if let Some(n) = v.get("max_length") {
            d = format!("{ty}({n})");
        }
        if v.get("required").is_some() {
            d.push_str(", required");
        }
        json!({ "type": "string", "description": d })
    };
    let mut defs = Map::new();
    for p in &w.pairs {
        let props: Map<String, Value> = p.concepts.iter().map(|c| (c.fo.clone(), describe(&fo_field(c)))).collect();
        defs.insert(
            format!("fo.{}", p.fo),
            json!({ "type": "object", "additionalProperties": false, "properties": props }),
        );
        let props: Map<String, Value> =
            p.concepts.iter().map(|c| (c.dv.clone(), describe(&dv_field(c, &w.pairs)))).collect();
        defs.insert(
            format!("dv.{}", p.dv),
            json!({ "type": "object", "additionalProperties": false, "properties": props }),
        );
    }
    let map_schema = |m: &MapText| {
        let p = &w.pairs[m.pair];
        json!({
            "type": "object",
            "properties": {
                "left": { "const": format!("fo.{}", p.fo) },
                "right": { "const": format!("dv.{}", p.dv) },
                "fields": { "$ref": format!("#/definitions/fo.{}", p.fo) },
            },
        })
    };
    let props: Map<String, Value> =
        big_maps.iter().chain(std::iter::once(small_map)).map(|m| (m.name.clone(), map_schema(m))).collect();
    let schema = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": { "maps": { "type": "object", "properties": props } },
        "definitions": defs,
    });
    let file = fs::File::create(yroot.join("bench.schema.json")).expect("schema");
    let mut out = BufWriter::new(file);
    serde_json::to_writer(&mut out, &schema).expect("schema");
    drop(out);

    let render = |maps: &[&MapText]| {
        let mut s = String::from("# yaml-language-server: $schema=bench.schema.json\nmaps:\n");
        for m in maps {
            let p = &w.pairs[m.pair];
            let _ = writeln!(s, "  {}:\n    left: fo.{}\n    right: dv.{}\n    fields:", m.name, p.fo, p.dv);
            for (left, _, right, _) in &m.lines {
                let _ = writeln!(s, "      {left}: {right}");
            }
        }
        s
    };
    let big: Vec<&MapText> = big_maps.iter().collect();
    let mut big_yaml = render(&big);
    // Pad with comment lines to the same line count as the .dimap file, so
    // that both servers get a document of the same size.
    let want = scenario_lines(scenario, "big");
    while big_yaml.lines().count() < want {
        big_yaml.push_str("# padding to the size of the .dimap file\n");
    }
    let small_yaml = render(&[small_map]);
    fs::write(yroot.join("bulk.yaml"), &big_yaml).expect("yaml");
    fs::write(yroot.join("small.yaml"), &small_yaml).expect("yaml");

    let find = |text: &str, m: &MapText| {
        let mid = &m.lines[m.lines.len() / 2].0;
        let header = text.lines().position(|l| l == format!("  {}:", m.name)).unwrap();
        let line = (header..).find(|&n| text.lines().nth(n).unwrap().starts_with(&format!("      {mid}:"))).unwrap();
        (header, line, 6 + mid.len())
    };
    let mid = &big_maps[big_maps.len() / 2];
    let (header, line, ch) = find(&big_yaml, mid);
    let (_, sline, sch) = find(&small_yaml, small_map);
    let abs = |rel: &str| yroot.join(rel).canonicalize().unwrap().to_string_lossy().into_owned();
    let schema_uri = format!("file://{}", abs("bench.schema.json"));
    let yaml_scenario = json!({
        "label": "yaml-language-server",
        "root": abs("."),
        "language_id": "yaml",
        "init_options": {},
        "configuration": {
            "yaml": { "validate": true, "hover": true, "completion": true, "schemas": { schema_uri: ["*.yaml"] } },
        },
        "expect_findings": false,
        "big": { "path": abs("bulk.yaml"), "edit": { "line": line, "character": ch, "text": "X" } },
        "small": { "path": abs("small.yaml"), "edit": { "line": sline, "character": sch, "text": "X" } },
        "completion": [
            { "what": "field key at the start of a line", "file": "big", "line": line, "character": 6 },
        ],
        "hover": [
            { "what": "field key", "file": "big", "line": line, "character": 7 },
            { "what": "map name", "file": "big", "line": header, "character": 3 },
        ],
    });
    write_json(&root.join("scenario-yaml.json"), &yaml_scenario);
}

fn scenario_lines(scenario: &Value, which: &str) -> usize {
    let path = scenario[which]["path"].as_str().unwrap();
    fs::read_to_string(path).map(|t| t.lines().count()).unwrap_or(0)
}
