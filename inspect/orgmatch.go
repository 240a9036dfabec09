package inspect

import (
	"fmt"

	"github.com/clerkscope/clerkscope/inspect/internal/js"
)

// orgMatcher is the SDK's OrganizationMatcher over organizationSyncOptions.
type orgMatcher struct {
	org      *js.PathMatcher
	personal *js.PathMatcher
}

type orgTarget struct {
	kind string // "organization" or "personalAccount"
	id   string
	slug string
}

func (t *orgTarget) param() string {
	if t.kind == "personalAccount" {
		return ""
	}
	if t.slug != "" {
		return t.slug
	}
	return t.id
}

func (t *orgTarget) describe() string {
	switch {
	case t.kind == "personalAccount":
		return "the personal account"
	case t.id != "":
		return fmt.Sprintf("organization id %s", t.id)
	default:
		return fmt.Sprintf("organization slug %s", t.slug)
	}
}

func newOrgMatcher(o *OrgSyncOptions) (*orgMatcher, error) {
	if o == nil {
		// No options: findTarget of a nil matcher finds nothing.
		return nil, nil
	}
	m := &orgMatcher{}
	var err error
	if o.OrganizationPatterns != nil {
		if m.org, err = js.NewPathMatcher(o.OrganizationPatterns); err != nil {
			return nil, err
		}
	}
	if o.PersonalAccountPatterns != nil {
		if m.personal, err = js.NewPathMatcher(o.PersonalAccountPatterns); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *orgMatcher) findTarget(u *js.URL) *orgTarget {
	if m == nil {
		return nil
	}
	if m.org != nil {
		if params, ok := m.org.Match(u.Pathname()); ok {
			if id := params["id"]; id != "" {
				return &orgTarget{kind: "organization", id: id}
			}
			if slug := params["slug"]; slug != "" {
				return &orgTarget{kind: "organization", slug: slug}
			}
		}
	}
	if m.personal != nil {
		if _, ok := m.personal.Match(u.Pathname()); ok {
			return &orgTarget{kind: "personalAccount"}
		}
	}
	return nil
}
