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
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBZip2", path: "Sources/CBZip2", providers: [.apt(["libbz2-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "MRT"),
        .target(name: "NKArchive", dependencies: ["MRT", "CZlib", "CBZip2", "CCrypto"]),
        .target(name: "NKStore", dependencies: ["MRT", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "NKAnalysis", dependencies: ["MRT"]),
        .target(name: "NKWatchCore", dependencies: ["MRT", "NKArchive", "NKStore", "NKAnalysis"]),
        .target(name: "NKRender", dependencies: ["NKAnalysis"]),
        .executableTarget(
            name: "nkwatch",
            dependencies: [
                "MRT", "NKArchive", "NKStore", "NKWatchCore", "NKAnalysis", "NKRender",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "MRTTests", dependencies: ["MRT"]),
        .testTarget(name: "NKArchiveTests", dependencies: ["NKArchive", "MRT"]),
        .testTarget(name: "NKAnalysisTests", dependencies: ["MRT", "NKAnalysis"]),
        .testTarget(name: "NKRenderTests", dependencies: ["MRT", "NKAnalysis", "NKRender"]),
        .testTarget(name: "NKWatchCoreTests", dependencies: ["MRT", "NKArchive", "NKStore", "NKWatchCore", "NKAnalysis"]),
        .testTarget(name: "nkwatchTests", dependencies: ["MRT", "NKArchive", "NKStore", "nkwatch"]),
    ]
)
