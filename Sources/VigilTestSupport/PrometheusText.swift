/// A small checker of the Prometheus text exposition format (version 0.0.4): enough to
/// tell a well-formed exporter from a broken one, and to read a sample's value.
public enum PrometheusText {
    public struct Sample: Equatable, Sendable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public struct FormatError: Error, CustomStringConvertible {
        public var line: String
        public var why: String
        public var description: String { "bad line '\(line)': \(why)" }
    }

    public static func isMetricName(_ name: Substring) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" || first == ":" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    public static func isLabelName(_ name: Substring) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first == "_" else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// Every line is a comment (`# HELP name text`, `# TYPE name type`, other `#`), empty, or
    /// `name{label="value",...} value [timestamp]`.
    public static func parse(_ text: String) throws -> [Sample] {
        var samples: [Sample] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = Substring(raw)
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3)
                if parts.count >= 2, parts[1] == "HELP" || parts[1] == "TYPE" {
                    guard parts.count >= 3, isMetricName(parts[2]) else { throw FormatError(line: String(line), why: "bad comment") }
                    if parts[1] == "TYPE" {
                        guard parts.count == 4, ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[3])) else {
                            throw FormatError(line: String(line), why: "bad TYPE")
                        }
                    }
                }
                continue
            }
            samples.append(try sample(line))
        }
        return samples
    }

    private static func sample(_ line: Substring) throws -> Sample {
        let nameEnd = line.firstIndex { $0 == "{" || $0 == " " } ?? line.endIndex
        let name = line[..<nameEnd]
        guard isMetricName(name) else { throw FormatError(line: String(line), why: "bad metric name") }
        var rest = line[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "=") else { throw FormatError(line: String(line), why: "label without =") }
                let label = rest[..<equals]
                guard isLabelName(label) else { throw FormatError(line: String(line), why: "bad label name") }
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { throw FormatError(line: String(line), why: "unquoted label value") }
                rest = rest.dropFirst()
                var value = ""
                var escaped = false
                while let char = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(char == "n" ? "\n" : char)
                        escaped = false
                    } else if char == "\\" {
                        escaped = true
                    } else if char == "\"" {
                        break
                    } else {
                        value.append(char)
                    }
                }
                labels[String(label)] = value
                if rest.first == "," { rest = rest.dropFirst() }
                guard !rest.isEmpty else { throw FormatError(line: String(line), why: "unterminated labels") }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw FormatError(line: String(line), why: "no space before the value") }
        let fields = rest.split(separator: " ")
        guard fields.count == 1 || fields.count == 2 else { throw FormatError(line: String(line), why: "value field count") }
        let text = String(fields[0])
        let value: Double? =
            switch text {
            case "NaN": .nan
            case "+Inf": .infinity
            case "-Inf": -.infinity
            default: Double(text)
            }
        guard let value else { throw FormatError(line: String(line), why: "value is not a number") }
        if fields.count == 2, Int64(fields[1]) == nil { throw FormatError(line: String(line), why: "bad timestamp") }
        return Sample(name: String(name), labels: labels, value: value)
    }

    /// The value of the sample `name` whose labels include `labels`.
    public static func value(in text: String, name: String, labels: [String: String] = [:]) -> Double? {
        guard let samples = try? parse(text) else { return nil }
        return samples.first { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }?.value
    }
}
