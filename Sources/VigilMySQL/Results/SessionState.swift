import NIOCore

extension MySQLResult {
    /// System variables the server reported as changed in this OK packet (session tracking:
    /// `SET session_track_system_variables = 'last_gtid'` makes every commit report MariaDB's
    /// `last_gtid` without another round trip). Malformed blocks yield what parsed cleanly.
    public var trackedSystemVariables: [String: String] {
        guard let block = sessionStateChanges else { return [:] }
        return SessionState.systemVariables(block)
    }
}

enum SessionState {
    static let systemVariablesType: UInt8 = 0

    /// Entries are `type (1 byte)` + `length-encoded data`; a system-variable entry's data is a
    /// length-encoded name and a length-encoded value.
    static func systemVariables(_ block: [UInt8]) -> [String: String] {
        var buffer = ByteBuffer(bytes: block)
        var out: [String: String] = [:]
        while let type = buffer.readInteger(as: UInt8.self) {
            guard var data = buffer.readLengthEncodedBytes() else { break }
            guard type == systemVariablesType else { continue }
            while let name = data.readLengthEncodedString(), let value = data.readLengthEncodedString() {
                out[name] = value
            }
        }
        return out
    }
}
