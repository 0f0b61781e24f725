//! Compiles the committed, generated tree-sitter parser. No generator runs
//! here: `grammar/README.md` says how to regenerate `grammar/src/parser.c`.

fn main() {
    let src = std::path::Path::new("grammar/src");
    println!("cargo:rerun-if-changed=grammar/src/parser.c");
    println!("cargo:rerun-if-changed=grammar/src/tree_sitter/parser.h");
    cc::Build::new()
        .include(src)
        .file(src.join("parser.c"))
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-unused-but-set-variable")
        .flag_if_supported("-Wno-trigraphs")
        .std("c11")
        .compile("tree-sitter-dimap");
}
