package ui

import (
	"reflect"
	"testing"

	"charm.land/bubbles/v2/key"
)

// TestKeyMapEvery: every binding of the keymap is in every(), so that
// syncKeys starts from none enabled and help shows only what works.
func TestKeyMapEvery(t *testing.T) {
	k := defaultKeyMap()
	listed := map[*key.Binding]bool{}
	for _, b := range k.every() {
		listed[b] = true
	}
	v := reflect.ValueOf(&k).Elem()
	for i := 0; i < v.NumField(); i++ {
		if b, ok := v.Field(i).Addr().Interface().(*key.Binding); ok && !listed[b] {
			t.Errorf("%s is not in keyMap.every()", v.Type().Field(i).Name)
		}
	}
}
