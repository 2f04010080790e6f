// swift-tools-version: 6.0
import PackageDescription

// The benchmark harness, a package of its own so the main build stays lean:
// swift run -c release --package-path Benchmarks idemtop-bench journal
let package = Package(
    name: "idemtop-bench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "idemtop", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "idemtop-bench",
            dependencies: [.product(name: "IdemtopStore", package: "idemtop"),
                           .product(name: "IdemtopPostgres", package: "idemtop")]
        ),
    ]
)
