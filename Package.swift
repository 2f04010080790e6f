// swift-tools-version: 6.0
import PackageDescription

// idemtop builds on Linux only: it uses Glibc (mallopt, posix_fadvise) and Debian's ncursesw and SQLite headers.
// IdemCore/Platform.swift stops a build elsewhere with one line saying so.
let package = Package(
    name: "idemtop",
    products: [
        .executable(name: "idemtop", targets: ["idemtop"]),
        // What a Swift service links to record its idempotency decisions into a store idemtop reads.
        .library(name: "IdemtopStore", targets: ["IdemCore", "IdemStore"]),
        .executable(name: "idemtop-example-service", targets: ["idemtop-example-service"]),
        // The Postgres reader, for the benchmark harness (Benchmarks/).
        .library(name: "IdemtopPostgres", targets: ["IdemPostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The example service's HTTP server: pure Swift on sockets, no SwiftNIO (see docs/actions.md for the build cost).
        .package(url: "https://github.com/swhitty/FlyingFox", exact: "0.27.1"),
    ],
    targets: [
        // The decoder's byte scans (SSE2), a header of static inline C functions: nothing to link.
        .systemLibrary(name: "CByteScan", path: "Sources/CByteScan"),
        // Pure values: records, events, statuses, the aggregate, the writer's decision rules. Foundation only.
        .target(name: "IdemCore", dependencies: ["CByteScan"]),
        // The one runner of child processes, on Foundation's Process: one-shot commands and long-running children.
        .target(name: "IdemProcess", dependencies: ["IdemCore"]),
        // SQLite's C API, linked from the system library (libsqlite3-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        // The journal and SQLite stores: read, tail, and the writer API.
        .target(name: "IdemStore", dependencies: ["IdemCore", "CSQLite"]),
        // The DynamoDB store as AWS Lambda Powertools' idempotency utility writes it: a SigV4-signed client of the
        // DynamoDB JSON API over URLSession, a reader, the guarded purge, Powertools' key hash.
        .target(name: "IdemDynamo", dependencies: ["IdemCore", "IdemStore", "IdemProcess"]),
        // Idempotency records in Redis/Valkey as Powertools and the Node libraries keep them: a small RESP client on
        // POSIX sockets, a SCAN reader that follows CLIENT TRACKING invalidations, the guarded purge; TLS through
        // the system OpenSSL (libssl-dev).
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .target(name: "IdemRedis", dependencies: ["IdemCore", "IdemStore", "IdemDynamo", "COpenSSL"]),
        // libpq's C API, linked from the system library (libpq-dev), so TLS, ~/.pgpass and service files work.
        .systemLibrary(name: "CLibpq", path: "Sources/CLibpq"),
        // Idempotency-keys tables in PostgreSQL (rocket-rides, Medusa, idempotence4j, node-idempotency, custom):
        // read, followed by xmin, the guarded purge.
        .target(name: "IdemPostgres", dependencies: ["IdemCore", "IdemStore", "CLibpq"]),
        // A deterministic payments-API simulator that drives the writer API.
        .target(name: "IdemSimulator", dependencies: ["IdemCore", "IdemStore"]),
        // The guarded actions without printing: purge (compare-and-set), replay over HTTP, the audit trail.
        .target(name: "IdemActions", dependencies: ["IdemCore", "IdemStore", "IdemProcess"]),
        // A tiny payments API that records its idempotency decisions through the writer API: what demo and tests act on.
        .target(
            name: "IdemExampleService",
            dependencies: ["IdemCore", "IdemStore", .product(name: "FlyingFox", package: "FlyingFox")]
        ),
        .executableTarget(
            name: "idemtop-example-service",
            dependencies: [
                "IdemCore", "IdemStore", "IdemExampleService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // App state, the pure update, views drawing into a cell grid, themes as data.
        .target(name: "IdemUI", dependencies: ["IdemCore"]),
        // ncursesw, with a small C header for the macros Swift cannot import.
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        // The only code that calls ncurses.
        .target(name: "IdemTerminal", dependencies: ["IdemUI", "CNcurses"]),
        // The app: the one run loop the binary and the tests share, the registry of store kinds, the CLI's reports.
        .target(
            name: "IdemApp",
            dependencies: ["IdemCore", "IdemStore", "IdemDynamo", "IdemUI", "IdemActions", "IdemSimulator",
                           "IdemExampleService", "IdemRedis", "IdemPostgres"]
        ),
        // Fakes for tests and for services' own tests: a fixed clock, a test terminal.
        .target(name: "IdemFakes", dependencies: ["IdemCore", "IdemStore", "IdemUI", "IdemApp"]),
        .executableTarget(
            name: "idemtop",
            dependencies: [
                "IdemCore", "IdemStore", "IdemSimulator", "IdemActions", "IdemUI", "IdemTerminal", "IdemDynamo",
                "IdemExampleService", "IdemApp", "IdemRedis",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "IdemCoreTests", dependencies: ["IdemCore", "IdemStore", "IdemFakes", "IdemSimulator"]),
        .testTarget(name: "IdemStoreTests",
                    dependencies: ["IdemCore", "IdemStore", "IdemSimulator", "IdemFakes", "IdemProcess"]),
        .testTarget(name: "IdemUITests",
                    dependencies: ["IdemCore", "IdemUI", "IdemFakes", "IdemApp", "IdemStore", "IdemSimulator"],
                    exclude: ["__Snapshots__"]),
        // What the store tests share: the Powertools venv, a Python venv under .build/, loopback ports, the harness error.
        .target(name: "IdemTestSupport", dependencies: ["IdemCore", "IdemProcess"], path: "Tests/IdemTestSupport"),
        .testTarget(name: "IdemDynamoTests",
                    dependencies: ["IdemCore", "IdemStore", "IdemDynamo", "IdemProcess", "IdemTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "IdemRedisTests",
                    dependencies: ["IdemCore", "IdemStore", "IdemRedis", "IdemDynamo", "IdemProcess", "IdemTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "IdemPostgresTests",
                    dependencies: ["IdemCore", "IdemStore", "IdemPostgres", "IdemProcess", "IdemTestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "IdemAppTests",
                    dependencies: ["IdemCore", "IdemStore", "IdemUI", "IdemApp", "IdemFakes", "IdemActions", "IdemExampleService"]),
        .testTarget(name: "IdemtopTests",
                    dependencies: ["IdemCore", "IdemStore", "IdemActions", "IdemUI", "IdemFakes", "IdemProcess"]),
        .testTarget(
            name: "IdemActionsTests",
            dependencies: ["IdemCore", "IdemStore", "IdemActions", "IdemSimulator", "IdemExampleService", "IdemFakes"]
        ),
    ]
)
