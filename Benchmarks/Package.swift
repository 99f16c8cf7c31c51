// swift-tools-version:6.1
// Micro-benchmarks of the decoder's inner loops, with google/swift-benchmark.
// (package-benchmark 1.38 needs ordo-one/swift-runtime-interposer on Linux
// with Swift 6.3, which is not available here; see docs/performance.md.)
//
//   cd Benchmarks && swift run -c release DecoderBenchmarks
import Foundation
import PackageDescription

/// The repository's package, by its identity: the name of the folder it was cloned into.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "nkwatch-benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/google/swift-benchmark", exact: "0.1.2"),
    ],
    targets: [
        .executableTarget(
            name: "DecoderBenchmarks",
            dependencies: [
                .product(name: "MRT", package: root),
                .product(name: "NKArchive", package: root),
                .product(name: "NKWatchCore", package: root),
                .product(name: "Benchmark", package: "swift-benchmark"),
            ]
        ),
    ]
)
