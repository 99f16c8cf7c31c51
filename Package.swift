// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "nkwatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "nkwatch", targets: ["nkwatch"]),
        .library(name: "MRT", targets: ["MRT"]),
        .library(name: "NKArchive", targets: ["NKArchive"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CBZip2", path: "Sources/CBZip2", providers: [.apt(["libbz2-dev"])]),
        .target(name: "MRT"),
        .target(name: "NKArchive", dependencies: ["MRT", "CZlib", "CBZip2"]),
        .executableTarget(
            name: "nkwatch",
            dependencies: [
                "MRT", "NKArchive",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "MRTTests", dependencies: ["MRT"]),
        .testTarget(name: "NKArchiveTests", dependencies: ["NKArchive", "MRT"]),
        .testTarget(name: "nkwatchTests", dependencies: ["MRT", "NKArchive", "nkwatch"]),
    ]
)
