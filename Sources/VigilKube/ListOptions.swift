/// Query options of a list call.
public struct ListOptions: Sendable, Hashable {
    /// `app=db,role in (primary,replica)` (see `LabelSelectorQuery`).
    public var labelSelector: String?
    /// `metadata.name=x`, `spec.nodeName=n`, `status.phase!=Running`.
    public var fieldSelector: String?
    /// Page size; the reply's `metadata.continueToken` fetches the next page.
    public var limit: Int?
    public var continueToken: String?
    /// `"0"` allows a possibly stale answer from a cache; `nil` reads the latest.
    public var resourceVersion: String?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil,
                continueToken: String? = nil, resourceVersion: String? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
    }

    var query: [(String, String)] {
        var items: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { items.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { items.append(("fieldSelector", fieldSelector)) }
        if let limit { items.append(("limit", String(limit))) }
        if let continueToken { items.append(("continue", continueToken)) }
        if let resourceVersion { items.append(("resourceVersion", resourceVersion)) }
        return items
    }
}

/// What happens to an object's dependents when it is deleted.
public enum PropagationPolicy: String, Sendable, Hashable {
    /// Delete the owner now, its dependents in the background (the default for most types).
    case background = "Background"
    /// Delete dependents first; the owner stays (with `deletionTimestamp`) until they are gone.
    case foreground = "Foreground"
    /// Leave the dependents in place.
    case orphan = "Orphan"
}
