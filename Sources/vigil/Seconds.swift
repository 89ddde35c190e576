import ArgumentParser
import Foundation

/// A command-line duration: `15`, `15s`, `1500ms`, `2m` or `1h` (a bare number is seconds).
struct Seconds: ExpressibleByArgument, Sendable, Equatable, CustomStringConvertible {
    var value: Double

    init(_ value: Double) {
        self.value = value
    }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        let (number, scale) = units.first { text.hasSuffix($0.0) }.map { (String(text.dropLast($0.0.count)), $0.1) } ?? (text, 1)
        guard let n = Double(number), n.isFinite, n >= 0 else { return nil }
        value = n * scale
    }

    var duration: Duration { .milliseconds(Int64((value * 1000).rounded())) }
    var description: String { value == value.rounded() ? "\(Int(value)) s" : "\(value) s" }
    var defaultValueDescription: String { description }
}
