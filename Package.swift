// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "nkwatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nkwatch", targets: ["nkwatch"]),
        .library(name: "MRT", targets: ["MRT"]),
        .library(name: "NKArchive", targets: ["NKArchive"]),
        .library(name: "NKWatchCore", targets: ["NKWatchCore"]),
    ],
    traits: [
        // Opt-in: inflate gzip with ISA-L's igzip (apt-get install libisal-dev)
        // instead of zlib, with the same output. `swift build --traits ISAL`.
        .trait(name: "ISAL", description: "Decompress gzip with ISA-L's igzip (libisal-dev) instead of zlib"),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBZip2", path: "Sources/CBZip2", providers: [.apt(["libbz2-dev"])]),
        .systemLibrary(name: "CISAL", path: "Sources/CISAL", providers: [.apt(["libisal-dev"])]),
        // SQLite's C interface, for the store's per-row inserts (GRDB links the same library).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", providers: [.apt(["libssl-dev"])]),
        // gzip's CRC-32 by carry-less multiplication (a table without PCLMULQDQ):
        // the zlib build checks each member's CRC itself, faster than zlib's own.
        .target(name: "CFastCRC"),
        // One bzip2 block at a time, for the parallel bzip2 reader: the
        // common block fast, anything else left to libbz2.
        .target(name: "CFastBzip2"),
        // SQLite's process-wide settings, made when the program is loaded
        // (no memory statistics: a mutex per allocation on the store's writer).
        .target(name: "CSQLiteSettings", linkerSettings: [.linkedLibrary("sqlite3")]),
        // libcurl's easy interface, loaded (dlopen) by the first download
        // rather than linked: no curl headers to build, nothing at start-up.
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // Bytes in, values out: MRT framing and decoding, the scope scanner,
        // element filters, the writer. No files, no clocks, no analysis.
        .target(name: "MRT"),
        // The shared vocabulary: time, peers, collectors, file kinds, route
        // events, session changes, labels, scopes, the JSON writer.
        .target(name: "NKModel", dependencies: ["MRT"]),
        // Byte sources (files, standard input, memory), decompression,
        // hashing, collector archive layouts, input walking.
        .target(name: "NKArchive", dependencies: ["MRT", "NKModel", "CZlib", "CBZip2", "CCrypto", "CFastCRC", "CFastBzip2",
                                                  .target(name: "CISAL", condition: .when(traits: ["ISAL"]))]),
        // The SQLite store (GRDB behind one type).
        .target(name: "NKStore", dependencies: ["MRT", "NKModel", "CSQLite", "CSQLiteSettings", .product(name: "GRDB", package: "GRDB.swift")]),
        // The method: reachability, visibility, episodes, labels, scores. Pure.
        .target(name: "NKAnalysis", dependencies: ["MRT", "NKModel"]),
        // Getting archives: directory listings of RouteViews and RIS, downloads
        // into the cache that resume, retry and verify (libcurl).
        .target(name: "NKFetch", dependencies: ["NKModel", "NKArchive", "CCurl"]),
        // The pipelines the commands share: ingest, analyse, dump, simulate.
        .target(name: "NKWatchCore", dependencies: ["MRT", "NKModel", "NKArchive", "NKStore", "NKAnalysis", "NKFetch"]),
        // Text, tables, JSON, CSV, Markdown, HTML/SVG. Computes nothing.
        .target(name: "NKRender", dependencies: ["NKModel", "NKAnalysis"]),
        .executableTarget(
            name: "nkwatch",
            dependencies: [
                "MRT", "NKModel", "NKArchive", "NKWatchCore", "NKAnalysis", "NKRender", "NKFetch",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["GitRevisionPlugin"]
        ),
        // The git revision nkwatch was built from, for --version and every document it writes.
        .plugin(name: "GitRevisionPlugin", capability: .buildTool(), path: "Sources/GitRevisionPlugin"),
        // Helpers every test target shares (where the repository and the corpus are).
        .target(name: "NKTestSupport", path: "Tests/NKTestSupport"),
        .testTarget(name: "MRTTests", dependencies: ["MRT", "NKTestSupport"]),
        .testTarget(name: "NKModelTests", dependencies: ["NKTestSupport", "MRT", "NKModel"]),
        .testTarget(name: "NKStoreTests", dependencies: ["NKTestSupport", "MRT", "NKModel", "NKStore", "CSQLite", "CSQLiteSettings", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "NKArchiveTests", dependencies: ["NKTestSupport", "NKArchive", "NKModel", "MRT", "CFastCRC", "CFastBzip2", "CZlib", "CBZip2"]),
        .testTarget(name: "NKAnalysisTests", dependencies: ["NKTestSupport", "MRT", "NKModel", "NKAnalysis"]),
        .testTarget(name: "NKRenderTests", dependencies: ["NKTestSupport", "MRT", "NKModel", "NKAnalysis", "NKRender"], exclude: ["Golden"]),
        .testTarget(name: "NKWatchCoreTests", dependencies: ["NKTestSupport", "MRT", "NKModel", "NKArchive", "NKStore", "NKWatchCore", "NKAnalysis"]),
        .testTarget(name: "NKFetchTests", dependencies: ["NKTestSupport", "NKFetch", "NKModel", "NKArchive"]),
        .testTarget(name: "nkwatchTests", dependencies: ["NKTestSupport", "MRT", "NKModel", "NKArchive", "NKStore", "nkwatch"], exclude: ["FaultServer", "Layout"]),
    ]
)
