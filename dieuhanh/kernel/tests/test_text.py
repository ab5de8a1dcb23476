import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from dieuhanh.kernel.text import fold, nfc, vi_sort_key

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
vi_text = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " 0123456789-", max_size=40)


def test_fold_removes_diacritics_including_d_bar():
    assert fold("Điều động cán bộ") == "dieu dong can bo"
    assert fold("Đảng ủy phường Ba Đình") == "dang uy phuong ba dinh"
    assert fold("  Hà   Nội ") == "ha noi"


def test_fold_accepts_decomposed_input():
    decomposed = unicodedata.normalize("NFD", "Thành ủy Hà Nội")
    assert fold(decomposed) == "thanh uy ha noi"


def test_nfc_composes_and_strips():
    assert nfc(unicodedata.normalize("NFD", " Quyết định ")) == "Quyết định"
    assert nfc(None) is None


@given(vi_text)
def test_fold_output_is_plain_ascii_and_idempotent(text):
    folded = fold(text)
    assert folded.isascii()
    assert fold(folded) == folded


@given(vi_text)
def test_fold_ignores_normalization_form(text):
    assert fold(unicodedata.normalize("NFD", text)) == fold(text)


def test_sort_key_follows_vietnamese_alphabet():
    words = ["Yên", "Ân", "Ăn", "An", "Đông", "Dung", "Ơn", "Ôn", "On", "Ưng", "Ung", "Bình", "Bính"]
    expected = ["An", "Ăn", "Ân", "Bình", "Bính", "Dung", "Đông", "On", "Ôn", "Ơn", "Ung", "Ưng", "Yên"]
    assert sorted(words, key=vi_sort_key) == expected


def test_sort_key_tone_order_is_level_grave_hook_tilde_acute_dot():
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert sorted(reversed(tones), key=vi_sort_key) == tones


def test_sort_key_letters_outweigh_tones_and_case():
    assert vi_sort_key("Ác") < vi_sort_key("ăa")  # a-with-acute is still the letter a
    assert vi_sort_key("an") < vi_sort_key("An") < vi_sort_key("anh")


@given(vi_text)
def test_sort_key_is_alphanumeric_so_any_collation_agrees(text):
    key = vi_sort_key(text)
    assert key == "" or all(c in "0123456789abcdefghijklmnopqrstuvwxyz" for c in key)
