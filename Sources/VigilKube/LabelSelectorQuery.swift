/// A parsed label selector query (`app=db,tier!=cache,env in (a,b),!legacy`): the grammar
/// the API server accepts in `?labelSelector=`. Used by the fake server and for local filtering.
public struct LabelSelectorQuery: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: Sendable, Hashable {
        case equals, notEquals, `in`, notIn, exists, doesNotExist
    }

    public struct Requirement: Sendable, Hashable {
        public var key: String
        public var op: Operator
        public var values: [String]

        public init(key: String, op: Operator, values: [String] = []) {
            self.key = key
            self.op = op
            self.values = values
        }

        public func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch op {
            case .equals, .in: return value.map(values.contains) ?? false
            case .notEquals, .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            }
        }
    }

    public var requirements: [Requirement]

    public init(requirements: [Requirement] = []) {
        self.requirements = requirements
    }

    /// Parses a selector string; throws `LabelSelectorQuery.ParseError` with a readable message.
    public init(parsing text: String) throws(ParseError) {
        var parser = Parser(text: Array(text))
        requirements = try parser.parse()
    }

    /// The query form of a `metav1.LabelSelector` (for `?labelSelector=`).
    public init(_ selector: LabelSelector) {
        var requirements: [Requirement] = []
        for (key, value) in (selector.matchLabels ?? [:]).sorted(by: { $0.key < $1.key }) {
            requirements.append(Requirement(key: key, op: .equals, values: [value]))
        }
        for expression in selector.matchExpressions ?? [] {
            let op: Operator = switch expression.operator {
            case "In": .in
            case "NotIn": .notIn
            case "Exists": .exists
            default: .doesNotExist
            }
            requirements.append(Requirement(key: expression.key, op: op, values: expression.values ?? []))
        }
        self.requirements = requirements
    }

    public func matches(_ labels: [String: String]?) -> Bool {
        let labels = labels ?? [:]
        return requirements.allSatisfy { $0.matches(labels) }
    }

    public var description: String {
        requirements.map { requirement in
            let values = requirement.values.sorted().joined(separator: ",")
            switch requirement.op {
            case .equals: return "\(requirement.key)=\(requirement.values.first ?? "")"
            case .notEquals: return "\(requirement.key)!=\(requirement.values.first ?? "")"
            case .in: return "\(requirement.key) in (\(values))"
            case .notIn: return "\(requirement.key) notin (\(values))"
            case .exists: return requirement.key
            case .doesNotExist: return "!\(requirement.key)"
            }
        }.joined(separator: ",")
    }

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var selector: String
        public var problem: String
        public var description: String { "invalid label selector \"\(selector)\": \(problem)" }
    }

    private struct Parser {
        let text: [Character]
        var index = 0

        init(text: [Character]) { self.text = text }

        mutating func parse() throws(ParseError) -> [Requirement] {
            var result: [Requirement] = []
            skipSpaces()
            if index == text.count { return [] }
            while true {
                result.append(try requirement())
                skipSpaces()
                if index == text.count { return result }
                guard text[index] == "," else { throw fail("expected ',' at position \(index)") }
                index += 1
            }
        }

        mutating func requirement() throws(ParseError) -> Requirement {
            skipSpaces()
            if peek() == "!" {
                index += 1
                let key = try identifier()
                return Requirement(key: key, op: .doesNotExist)
            }
            let key = try identifier()
            skipSpaces()
            guard index < text.count, text[index] != "," else { return Requirement(key: key, op: .exists) }
            if text[index] == "=" {
                index += 1
                if peek() == "=" { index += 1 }
                return Requirement(key: key, op: .equals, values: [try value()])
            }
            if text[index] == "!", peek(1) == "=" {
                index += 2
                return Requirement(key: key, op: .notEquals, values: [try value()])
            }
            let word = try identifier()
            switch word {
            case "in": return Requirement(key: key, op: .in, values: try valueSet())
            case "notin": return Requirement(key: key, op: .notIn, values: try valueSet())
            default: throw fail("unknown operator \"\(word)\" after \"\(key)\"")
            }
        }

        mutating func valueSet() throws(ParseError) -> [String] {
            skipSpaces()
            guard peek() == "(" else { throw fail("expected '(' after in / notin") }
            index += 1
            var values: [String] = []
            while true {
                skipSpaces()
                if peek() == ")", values.isEmpty { throw fail("empty value set") }
                values.append(try value(allowEmpty: true))
                skipSpaces()
                guard let next = peek() else { throw fail("missing ')'") }
                index += 1
                if next == ")" { return values }
                guard next == "," else { throw fail("expected ',' or ')' in value set") }
            }
        }

        mutating func identifier() throws(ParseError) -> String {
            skipSpaces()
            let start = index
            while index < text.count, Self.isNameCharacter(text[index]) { index += 1 }
            guard index > start else {
                throw fail(index < text.count ? "unexpected '\(text[index])' at position \(index)" : "missing key")
            }
            return String(text[start..<index])
        }

        mutating func value(allowEmpty: Bool = true) throws(ParseError) -> String {
            skipSpaces()
            let start = index
            while index < text.count, Self.isNameCharacter(text[index]) { index += 1 }
            if index < text.count, !" ,)".contains(text[index]) {
                throw fail("invalid character '\(text[index])' in value at position \(index)")
            }
            return String(text[start..<index])
        }

        static func isNameCharacter(_ c: Character) -> Bool {
            c.isLetter || c.isNumber || c == "-" || c == "_" || c == "." || c == "/"
        }

        func peek(_ offset: Int = 0) -> Character? {
            index + offset < text.count ? text[index + offset] : nil
        }

        mutating func skipSpaces() {
            while index < text.count, text[index] == " " { index += 1 }
        }

        func fail(_ problem: String) -> ParseError {
            ParseError(selector: String(text), problem: problem)
        }
    }
}
