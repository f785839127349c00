// swift-tools-version:5.7
// Swift package for enseal. `build-xcframework.sh` (macOS with Xcode) fills
// Sources/Enseal/Enseal.swift and EnsealFFI.xcframework; neither is committed.
// NOT built or tested on the project's Linux CI: no Swift toolchain exists there.
import PackageDescription

let package = Package(
    name: "Enseal",
    platforms: [.iOS(.v13), .macOS(.v11)],
    products: [.library(name: "Enseal", targets: ["Enseal"])],
    targets: [
        .binaryTarget(name: "EnsealFFI", path: "EnsealFFI.xcframework"),
        .target(name: "Enseal", dependencies: ["EnsealFFI"], path: "Sources/Enseal"),
    ]
)
