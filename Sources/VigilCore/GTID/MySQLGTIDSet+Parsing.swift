extension MySQLGTIDSet {
    /// Parses MySQL's text form: `uuid[:interval|:tag]*` entries separated by commas.
    ///
    /// Accepts what servers print (whitespace and newlines around tokens, `,\n` between
    /// UUIDs, any UUID letter case, dashed/undashed/braced UUIDs, MySQL 8.4 tags that apply to
    /// the intervals after them, empty entries as MySQL does). Rejects, with a precise error,
    /// anything MySQL would misread or silently drop: reversed intervals, GNO 0, GNOs above
    /// 2^63-1, malformed UUIDs and tags.
    public init(parsing text: some StringProtocol) throws(GTIDParseError) {
        var scanner = GTIDScanner(String(text), flavor: .mysql)
        var raw: [GTIDSource: [ClosedRange<UInt64>]] = [:]
        scanner.skipWhitespace()
        while !scanner.isAtEnd {
            if scanner.consume(UInt8(ascii: ",")) {
                scanner.skipWhitespace()
                continue
            }
            let uuidStart = scanner.position
            let uuidRange = scanner.scan { !GTIDScanner.isDelimiter($0) }
            guard let uuid = ServerUUID(utf8: scanner.bytes(uuidRange)) else {
                throw scanner.error(at: uuidStart, .notAUUID(scanner.token(at: uuidStart)))
            }
            var source = GTIDSource(uuid: uuid)
            scanner.skipWhitespace()
            while scanner.consume(UInt8(ascii: ":")) {
                scanner.skipWhitespace()
                let at = scanner.position
                guard let byte = scanner.current else {
                    throw scanner.error(at: at, .expectedIntervalOrTag(found: ""))
                }
                if GTIDScanner.isDigit(byte) {
                    raw[source, default: []].append(try Self.scanInterval(&scanner))
                } else if GTIDTag.isTagStart(byte) {
                    source.tag = try Self.scanTag(&scanner)
                } else {
                    throw scanner.error(at: at, .expectedIntervalOrTag(found: scanner.token(at: at)))
                }
                scanner.skipWhitespace()
            }
            if !scanner.isAtEnd && !scanner.consume(UInt8(ascii: ",")) {
                throw scanner.error(at: scanner.position, .unexpectedText(scanner.token(at: scanner.position)))
            }
            scanner.skipWhitespace()
        }
        self.init(raw)
    }

    private static func scanInterval(_ scanner: inout GTIDScanner) throws(GTIDParseError) -> ClosedRange<UInt64> {
        let start = scanner.position
        let first = try scanner.scanNumber(max: maxGNO)
        guard first > 0 else { throw scanner.error(at: start, .zeroGNO) }
        scanner.skipWhitespace()
        guard scanner.consume(UInt8(ascii: "-")) else { return first...first }
        scanner.skipWhitespace()
        let last = try scanner.scanNumber(max: maxGNO)
        guard last >= first else { throw scanner.error(at: start, .reversedInterval(first, last)) }
        return first...last
    }

    private static func scanTag(_ scanner: inout GTIDScanner) throws(GTIDParseError) -> GTIDTag {
        let start = scanner.position
        let range = scanner.scan(while: GTIDTag.isTagBody)
        // A tag must end at a delimiter: `my-tag` is one bad token, not a tag and junk.
        let endsCleanly = scanner.current.map(GTIDScanner.isDelimiter) ?? true
        guard endsCleanly, range.count <= GTIDTag.maxLength, let tag = GTIDTag(scanner.string(range)) else {
            throw scanner.error(at: start, .invalidTag(scanner.token(at: start)))
        }
        return tag
    }
}
