"""Script-expression test vectors of BIP 381 (pk, pkh, sh), 382 (wpkh, wsh), 383 (multi,
sortedmulti), 385 (raw, addr), 386 (tr) and 387 (multi_a, sortedmulti_a).

Source: bitcoin/bips bip-0381 ... bip-0387.mediawiki, "Test Vectors": every valid descriptor
with the scripts it produces at indices 0, 1, 2 (ranged) or 0, and every invalid descriptor.
BIP 384 (combo) lists no test vectors ("TBD") and combo() is not supported.
"""

from __future__ import annotations

import pytest

from kansa.custody import DescriptorError, parse_descriptor
from kansa.custody.addresses import address_to_script

WIF = "L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1"
WIF_U = "5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss"
PUB = "03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd"
PUB_U = "04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235"
XPRV_A = "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc"
XPUB_A = "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL"
XPRV_B = "xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L"
XPUB_B = "xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y"
XPRV_ROOT1 = "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U"
XPRV_ROOT2 = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"
XPRV_C = "xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt"
XPUB_C = "xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH"

# BIP 383: the 16 compressed keys of the sh(wsh(multi(16,...))) vector, in order.
KEYS16 = ",".join(
    [
        "03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0",
        "0260b2003c386519fc9eadf2b5cf124dd8eea4c4e68d5e154050a9346ea98ce600",
        "0362a74e399c39ed5593852a30147f2959b56bb827dfa3e60e464b02ccf87dc5e8",
        "0261345b53de74a4d721ef877c255429961b7e43714171ac06168d7e08c542a8b8",
        "02da72e8b46901a65d4374fe6315538d8f368557dda3a1dcf9ea903f3afe7314c8",
        "0318c82dd0b53fd3a932d16e0ba9e278fcc937c582d5781be626ff16e201f72286",
        "0297ccef1ef99f9d73dec9ad37476ddb232f1238aff877af19e72ba04493361009",
        "02e502cfd5c3f972fe9a3e2a18827820638f96b6f347e54d63deb839011fd5765d",
        "03e687710f0e3ebe81c1037074da939d409c0025f17eb86adb9427d28f0f7ae0e9",
        "02c04d3a5274952acdbc76987f3184b346a483d43be40874624b29e3692c1df5af",
        "02ed06e0f418b5b43a7ec01d1d7d27290fa15f75771cb69b642a51471c29c84acd",
        "036d46073cbb9ffee90473f3da429abc8de7f8751199da44485682a989a4bebb24",
        "02f5d1ff7c9029a80a4e36b9a5497027ef7f3e73384a4a94fbfe7c4e9164eec8bc",
        "02e41deffd1b7cce11cde209a781adcffdabd1b91c0ba0375857a2bfd9302419f3",
        "02d76625f7956a7fc505ab02556c23ee72d832f1bac391bcd2d3abce5710a13d06",
        "0399eb0a5487515802dc14544cf10b3666623762fbed2ec38a3975716e2c29c232",
    ]
)
# BIP 383: the 20 WIF keys of the wsh(multi(20,...)) vectors, in order.
WIFS20 = ",".join(
    [
        "KzoAz5CanayRKex3fSLQ2BwJpN7U52gZvxMyk78nDMHuqrUxuSJy",
        "KwGNz6YCCQtYvFzMtrC6D3tKTKdBBboMrLTsjr2NYVBwapCkn7Mr",
        "KxogYhiNfwxuswvXV66eFyKcCpm7dZ7TqHVqujHAVUjJxyivxQ9X",
        "L2BUNduTSyZwZjwNHynQTF14mv2uz2NRq5n5sYWTb4FkkmqgEE9f",
        "L1okJGHGn1kFjdXHKxXjwVVtmCMR2JA5QsbKCSpSb7ReQjezKeoD",
        "KxDCNSST75HFPaW5QKpzHtAyaCQC7p9Vo3FYfi2u4dXD1vgMiboK",
        "L5edQjFtnkcf5UWURn6UuuoFrabgDQUHdheKCziwN42aLwS3KizU",
        "KzF8UWFcEC7BYTq8Go1xVimMkDmyNYVmXV5PV7RuDicvAocoPB8i",
        "L3nHUboKG2w4VSJ5jYZ5CBM97oeK6YuKvfZxrefdShECcjEYKMWZ",
        "KyjHo36dWkYhimKmVVmQTq3gERv3pnqA4xFCpvUgbGDJad7eS8WE",
        "KwsfyHKRUTZPQtysN7M3tZ4GXTnuov5XRgjdF2XCG8faAPmFruRF",
        "KzCUbGhN9LJhdeFfL9zQgTJMjqxdBKEekRGZX24hXdgCNCijkkap",
        "KzgpMBwwsDLwkaC5UrmBgCYaBD2WgZ7PBoGYXR8KT7gCA9UTN5a3",
        "KyBXTPy4T7YG4q9tcAM3LkvfRpD1ybHMvcJ2ehaWXaSqeGUxEdkP",
        "KzJDe9iwJRPtKP2F2AoN6zBgzS7uiuAwhWCfGdNeYJ3PC1HNJ8M8",
        "L1xbHrxynrqLKkoYc4qtoQPx6uy5qYXR5ZDYVYBSRmCV5piU3JG9",
        "KzRedjSwMggebB3VufhbzpYJnvHfHe9kPJSjCU5QpJdAW3NSZxYS",
        "Kyjtp5858xL7JfeV4PNRCKy2t6XvgqNNepArGY9F9F1SSPqNEMs3",
        "L2D4RLHPiHBidkHS8ftx11jJk1hGFELvxh8LoxNQheaGT58dKenW",
        "KyLPZdwY4td98bKkXqEXTEBX3vwEYTQo1yyLjX2jKXA63GBpmSjv",
    ]
)
NUMS = "50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0"

VALID: list[tuple[str, str, list[str]]] = [
    # ---- BIP 381 -------------------------------------------------------------------------
    ("381", f"pk({WIF})", [f"21{PUB}ac"]),
    ("381", f"pk({PUB})", [f"21{PUB}ac"]),
    (
        "381",
        f"pkh([deadbeef/1/2'/3/4']{WIF})",
        ["76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac"],
    ),
    (
        "381",
        f"pkh([deadbeef/1/2'/3/4']{PUB})",
        ["76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac"],
    ),
    (
        "381",
        f"pkh([deadbeef/1/2h/3/4h]{PUB})",
        ["76a9149a1c78a507689f6f54b847ad1cef1e614ee23f1e88ac"],
    ),
    ("381", f"pk({WIF_U})", [f"41{PUB_U}ac"]),
    ("381", f"pk({PUB_U})", [f"41{PUB_U}ac"]),
    ("381", f"pkh({WIF_U})", ["76a914b5bd079c4d57cc7fc28ecf8213a6b791625b818388ac"]),
    ("381", f"pkh({PUB_U})", ["76a914b5bd079c4d57cc7fc28ecf8213a6b791625b818388ac"]),
    ("381", f"sh(pk({WIF}))", ["a9141857af51a5e516552b3086430fd8ce55f7c1a52487"]),
    ("381", f"sh(pk({PUB}))", ["a9141857af51a5e516552b3086430fd8ce55f7c1a52487"]),
    ("381", f"sh(pkh({WIF}))", ["a9141a31ad23bf49c247dd531a623c2ef57da3c400c587"]),
    ("381", f"sh(pkh({PUB}))", ["a9141a31ad23bf49c247dd531a623c2ef57da3c400c587"]),
    (
        "381",
        f"pkh({XPRV_ROOT1}/2147483647'/0)",
        ["76a914ebdc90806a9c4356c1c88e42216611e1cb4c1c1788ac"],
    ),
    (
        "381",
        "pkh([bd16bee5/2147483647h]xpub69H7F5dQzmVd3vPuLKtcXJziMEQByuDidnX3YdwgtNsecY5HRGtAAQC5mXTt4dsv9RzyjgDjAQs9VGVV6ydYCHnprc9vvaA5YtqWyL6hyds/0)",
        ["76a914ebdc90806a9c4356c1c88e42216611e1cb4c1c1788ac"],
    ),
    (
        "381",
        f"pk({XPRV_B}/0)",
        ["210379e45b3cf75f9c5f9befd8e9506fb962f6a9d185ac87001ec44a8d3df8d4a9e3ac"],
    ),
    (
        "381",
        f"pk({XPUB_B}/0)",
        ["210379e45b3cf75f9c5f9befd8e9506fb962f6a9d185ac87001ec44a8d3df8d4a9e3ac"],
    ),
    # ---- BIP 382 -------------------------------------------------------------------------
    ("382", f"wpkh({WIF})", ["00149a1c78a507689f6f54b847ad1cef1e614ee23f1e"]),
    ("382", f"wpkh({PUB})", ["00149a1c78a507689f6f54b847ad1cef1e614ee23f1e"]),
    (
        "382",
        f"wpkh([ffffffff/13']{XPRV_C}/1/2/0)",
        ["0014326b2249e3a25d5dc60935f044ee835d090ba859"],
    ),
    (
        "382",
        f"wpkh([ffffffff/13']{XPUB_C}/1/2/*)",
        [
            "0014326b2249e3a25d5dc60935f044ee835d090ba859",
            "0014af0bd98abc2f2cae66e36896a39ffe2d32984fb7",
            "00141fa798efd1cbf95cebf912c031b8a4a6e9fb9f27",
        ],
    ),
    (
        "382",
        f"sh(wpkh({XPRV_ROOT2}/10/20/30/40/*'))",
        [
            "a9149a4d9901d6af519b2a23d4a2f51650fcba87ce7b87",
            "a914bed59fc0024fae941d6e20a3b44a109ae740129287",
            "a9148483aa1116eb9c05c482a72bada4b1db24af654387",
        ],
    ),
    (
        "382",
        f"sh(wpkh({XPRV_ROOT2}/10/20/30/40/*h))",
        [
            "a9149a4d9901d6af519b2a23d4a2f51650fcba87ce7b87",
            "a914bed59fc0024fae941d6e20a3b44a109ae740129287",
            "a9148483aa1116eb9c05c482a72bada4b1db24af654387",
        ],
    ),
    (
        "382",
        f"wsh(pkh({WIF}))",
        ["0020338e023079b91c58571b20e602d7805fb808c22473cbc391a41b1bd3a192e75b"],
    ),
    (
        "382",
        f"wsh(pkh({PUB}))",
        ["0020338e023079b91c58571b20e602d7805fb808c22473cbc391a41b1bd3a192e75b"],
    ),
    (
        "382",
        f"wsh(pk({WIF}))",
        ["00202e271faa2325c199d25d22e1ead982e45b64eeb4f31e73dbdf41bd4b5fec23fa"],
    ),
    (
        "382",
        f"wsh(pk({PUB}))",
        ["00202e271faa2325c199d25d22e1ead982e45b64eeb4f31e73dbdf41bd4b5fec23fa"],
    ),
    ("382", f"sh(wsh(pkh({WIF})))", ["a914b61b92e2ca21bac1e72a3ab859a742982bea960a87"]),
    ("382", f"sh(wsh(pkh({PUB})))", ["a914b61b92e2ca21bac1e72a3ab859a742982bea960a87"]),
    # ---- BIP 383 -------------------------------------------------------------------------
    ("383", f"multi(1,{WIF},{WIF_U})", [f"5121{PUB}41{PUB_U}52ae"]),
    ("383", f"multi(1,{PUB},{PUB_U})", [f"5121{PUB}41{PUB_U}52ae"]),
    ("383", f"sortedmulti(1,{PUB_U},{PUB})", [f"5121{PUB}41{PUB_U}52ae"]),
    (
        "383",
        f"sh(multi(2,[00000000/111'/222]{XPRV_A},{XPRV_B}/0))",
        ["a91445a9a622a8b0a1269944be477640eedc447bbd8487"],
    ),
    (
        "383",
        f"sortedmulti(2,{XPUB_A}/*,{XPUB_B}/0/0/*)",
        [
            "5221025d5fc65ebb8d44a5274b53bac21ff8307fec2334a32df05553459f8b1f7fe1b62102fbd47cc8034098f0e6a94c6aeee8528abf0a2153a5d8e46d325b7284c046784652ae",
            "52210264fd4d1f5dea8ded94c61e9641309349b62f27fbffe807291f664e286bfbe6472103f4ece6dfccfa37b211eb3d0af4d0c61dba9ef698622dc17eecdf764beeb005a652ae",
            "5221022ccabda84c30bad578b13c89eb3b9544ce149787e5b538175b1d1ba259cbb83321024d902e1a2fc7a8755ab5b694c575fce742c48d9ff192e63df5193e4c7afe1f9c52ae",
        ],
    ),
    (
        "383",
        f"wsh(multi(2,{XPRV_ROOT1}/2147483647'/0,{XPRV_C}/1/2/*,{XPRV_ROOT2}/10/20/30/40/*'))",
        [
            "0020b92623201f3bb7c3771d45b2ad1d0351ea8fbf8cfe0a0e570264e1075fa1948f",
            "002036a08bbe4923af41cf4316817c93b8d37e2f635dd25cfff06bd50df6ae7ea203",
            "0020a96e7ab4607ca6b261bfe3245ffda9c746b28d3f59e83d34820ec0e2b36c139c",
        ],
    ),
    ("383", f"sh(wsh(multi(16,{KEYS16})))", ["a9147fc63e13dc25e8a95a3cee3d9a714ac3afd96f1e87"]),
    (
        "383",
        f"wsh(multi(20,{WIFS20}))",
        ["0020376bd8344b8b6ebe504ff85ef743eaa1aa9272178223bcb6887e9378efb341ac"],
    ),
    ("383", f"sh(wsh(multi(20,{WIFS20})))", ["a914c2c9c510e9d7f92fd6131e94803a8d34a8ef675e87"]),
    # ---- BIP 385 -------------------------------------------------------------------------
    ("385", "raw(deadbeef)", ["deadbeef"]),
    ("385", f"raw(5121{PUB}41{PUB_U}52ae)", [f"5121{PUB}41{PUB_U}52ae"]),
    (
        "385",
        "raw(a9149a4d9901d6af519b2a23d4a2f51650fcba87ce7b87)",
        ["a9149a4d9901d6af519b2a23d4a2f51650fcba87ce7b87"],
    ),
    (
        "385",
        "addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j)",
        ["a914eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee87"],
    ),
    # ---- BIP 386 -------------------------------------------------------------------------
    (
        "386",
        f"tr({PUB[2:]})",
        ["512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11"],
    ),
    ("386", f"tr({WIF})", ["512077aab6e066f8a7419c5ab714c12c67d25007ed55a43cadcacb4d7a970a093f11"]),
    (
        "386",
        f"tr({XPRV_A}/0/*,pk({XPRV_A}/1/*))",
        [
            "512078bc707124daa551b65af74de2ec128b7525e10f374dc67b64e00ce0ab8b3e12",
            "512001f0a02a17808c20134b78faab80ef93ffba82261ccef0a2314f5d62b6438f11",
            "512021024954fcec88237a9386fce80ef2ced5f1e91b422b26c59ccfc174c8d1ad25",
        ],
    ),
    (
        "386",
        f"tr({PUB[2:]},pk(669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))",
        ["512017cf18db381d836d8923b1bdb246cfcd818da1a9f0e6e7907f187f0b2f937754"],
    ),
    (
        "386",
        f"tr({PUB[2:]},{{pk(xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334/0),"
        f"{{{{pk({XPUB_A}),pk(02df12b7035bdac8e3bab862a3a83d06ea6b17b6753d52edecba9be46f5d09e076)}},pk({WIF})}}}})",
        ["512071fff39599a7b78bc02623cbe814efebf1a404f5d8ad34ea80f213bd8943f574"],
    ),
    # ---- BIP 387 -------------------------------------------------------------------------
    (
        "387",
        f"tr({WIF},multi_a(1,KzoAz5CanayRKex3fSLQ2BwJpN7U52gZvxMyk78nDMHuqrUxuSJy))",
        ["5120eb5bd3894327d75093891cc3a62506df7d58ec137fcd104cdd285d67816074f3"],
    ),
    (
        "387",
        f"tr({PUB[2:]},multi_a(1,669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))",
        ["5120eb5bd3894327d75093891cc3a62506df7d58ec137fcd104cdd285d67816074f3"],
    ),
    (
        "387",
        f"tr({NUMS},multi_a(2,[00000000/111'/222]{XPRV_A},{XPRV_B}/0))",
        ["51202eea93581594a43c0c8423b70dc112e5651df63984d108d4fc8ccd3b63b4eafa"],
    ),
    (
        "387",
        f"tr({NUMS},sortedmulti_a(2,[00000000/111'/222]{XPRV_A},{XPRV_B}/0))",
        ["512016fa6a6ba7e98c54b5bf43b3144912b78a61b60b02f6a74172b8dcb35b12bc30"],
    ),
    (
        "387",
        f"tr({NUMS},sortedmulti_a(2,{XPUB_A}/*,{XPUB_B}/0/0/*))",
        [
            "5120abd47468515223f58a1a18edfde709a7a2aab2b696d59ecf8c34f0ba274ef772",
            "5120fe62e7ed20705bd1d3678e072bc999acb014f07795fa02cb8f25a7aa787e8cbd",
            "51201311093750f459039adaa2a5ed23b0f7a8ae2c2ffb07c5390ea37e2fb1050b41",
        ],
    ),
    (
        "387",
        f"tr({NUMS},multi_a(2,{XPRV_ROOT1}/2147483647'/0,{XPRV_C}/1/2/*,{XPRV_ROOT2}/10/20/30/40/*'))",
        [
            "5120e4c8f2b0a7d3a688ac131cb03248c0d4b0a59bbd4f37211c848cfbd22a981192",
            "5120827faedaa21e52fca2ac83b53afd1ab7d4d1e6ce67ff42b19f2723d48b5a19ab",
            "5120647495ed09de61a3a324704f9203c130d655bf3141f9b748df8f7be7e9af55a4",
        ],
    ),
]

INVALID: list[tuple[str, str, str]] = [
    # ---- BIP 381 -------------------------------------------------------------------------
    ("381", f"pk(pk({PUB}))", "pk() only accepts key expressions"),
    ("381", f"pkh(pk({PUB}))", "pkh() only accepts key expressions"),
    ("381", f"sh({PUB})", "sh() only accepts script expressions"),
    ("381", f"sh(sh(pkh({PUB})))", "sh() is top level only"),
    # ---- BIP 382 -------------------------------------------------------------------------
    ("382", f"wpkh({WIF_U})", "Uncompressed public key in wpkh()"),
    ("382", f"sh(wpkh({WIF_U}))", "Uncompressed public key in wpkh()"),
    ("382", f"wpkh({PUB_U})", "Uncompressed public key in wpkh()"),
    ("382", f"sh(wpkh({PUB_U}))", "Uncompressed public key in wpkh()"),
    ("382", f"wsh(pk({WIF_U}))", "Uncompressed public keys under wsh()"),
    ("382", f"wsh(pk({PUB_U}))", "Uncompressed public keys under wsh()"),
    ("382", f"wsh(wpkh({PUB}))", "wpkh() nested in wsh()"),
    ("382", f"wsh(wsh(pkh({PUB})))", "wsh() nested in wsh()"),
    ("382", f"sh(wsh(wsh(pkh({PUB}))))", "wsh() nested in wsh()"),
    ("382", f"wpkh(wsh(pkh({PUB})))", "Script in wpkh()"),
    ("382", f"wsh({PUB})", "Key in wsh()"),
    # ---- BIP 383 -------------------------------------------------------------------------
    ("383", f"sh(multi(16,{KEYS16}))", "More than 15 keys in P2SH multisig"),
    ("383", f"multi(a,{PUB},{PUB_U})", "Invalid threshold"),
    ("383", f"multi(0,{PUB},{PUB_U})", "Threshold of 0"),
    ("383", f"multi(3,{WIF},{WIF_U})", "Threshold larger than keys"),
    # ---- BIP 385 -------------------------------------------------------------------------
    ("385", "raw(asdf)", "Non-hex script"),
    ("385", "addr(asdf)", "Invalid address"),
    ("385", "sh(raw(deadbeef))", "raw nested in sh"),
    ("385", "wsh(raw(deadbeef))", "raw nested in wsh"),
    ("385", "sh(addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j))", "addr nested in sh"),
    ("385", "wsh(addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j))", "addr nested in wsh"),
    # ---- BIP 386 -------------------------------------------------------------------------
    ("386", f"tr({WIF_U})", "Uncompressed private key"),
    ("386", f"tr({PUB_U})", "Uncompressed public key"),
    ("386", f"wsh(tr({PUB[2:]}))", "tr() nested in wsh"),
    ("386", f"sh(tr({PUB[2:]}))", "tr() nested in sh"),
    ("386", f"tr({PUB[2:]}, pkh({WIF}))", "pkh() nested in tr"),
    # ---- BIP 387 -------------------------------------------------------------------------
    (
        "387",
        "multi_a(1,03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0)",
        "Unsupported top level",
    ),
    (
        "387",
        "sh(multi_a(1,03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))",
        "Unsupported sh() context",
    ),
    (
        "387",
        "wsh(multi_a(1,03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))",
        "Unsupported wsh() context",
    ),
    ("387", f"tr({NUMS},multi_a(a,{PUB}))", "Invalid threshold"),
    ("387", f"tr({NUMS},multi_a(0,{PUB}))", "Threshold of 0"),
    ("387", f"tr({NUMS},multi_a(1,{PUB_U}))", "Uncompressed pubkey"),
    ("387", f"tr({NUMS},multi_a(3,{WIF},{WIF_U}))", "Threshold larger than keys"),
]


@pytest.mark.parametrize(
    ("bip", "text", "scripts"), VALID, ids=[f"BIP{v[0]}-{i}" for i, v in enumerate(VALID)]
)
def test_valid_descriptor_produces_the_bip_scripts(bip: str, text: str, scripts: list[str]) -> None:
    d = parse_descriptor(text)
    assert [d.expand(i).script_pubkey.hex() for i in range(len(scripts))] == scripts
    again = parse_descriptor(d.text())  # the normalised public form derives the same
    if "*h" not in again.text() and "*'" not in text:
        assert [again.expand(i).script_pubkey.hex() for i in range(len(scripts))] == scripts
    assert "xprv" not in d.text()


@pytest.mark.parametrize(
    ("bip", "text", "why"), INVALID, ids=[f"BIP{v[0]}-{i}" for i, v in enumerate(INVALID)]
)
def test_invalid_descriptor_is_refused(bip: str, text: str, why: str) -> None:
    with pytest.raises(DescriptorError) as err:
        d = parse_descriptor(text)
        d.expand(0)
    assert err.value.position is not None, why


def test_pkh_in_tr_is_refused_for_its_context_not_only_the_space() -> None:
    """BIP 386 writes that vector with a space after the comma; without it, the reason given
    must still be that pkh() is not allowed in a script tree."""
    with pytest.raises(DescriptorError, match="pkh\\(\\) is not allowed in a tr"):
        parse_descriptor(f"tr({PUB[2:]},pkh({WIF}))")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (f"sh(multi(16,{KEYS16}))", "at most 15"),
        (f"multi(3,{WIF},{WIF_U})", "larger than the number of keys"),
        (f"wsh(pk({PUB_U}))", "uncompressed public keys are not allowed in wsh()"),
        (f"wpkh({PUB_U})", "uncompressed public keys are not allowed in wpkh()"),
        (f"wsh({PUB})", "expected a script expression"),
        (f"sh(sh(pkh({PUB})))", "sh() is not allowed in sh()"),
        (f"pk(pk({PUB}))", "found a script expression"),
        ("combo(" + PUB + ")", "combo() (BIP 384) is not supported"),
    ],
)
def test_invalid_descriptor_errors_explain_themselves(text: str, words: str) -> None:
    with pytest.raises(DescriptorError) as err:
        parse_descriptor(text)
    assert words in err.value.reason


def test_policies_of_bip_vectors() -> None:
    d = parse_descriptor(f"sh(wsh(multi(16,{KEYS16})))")
    assert (d.policy.threshold, d.policy.key_count) == (16, 16)
    nums_only = parse_descriptor(f"tr({NUMS},sortedmulti_a(2,{XPUB_A}/*,{XPUB_B}/0/0/*))")
    assert (nums_only.policy.threshold, nums_only.policy.key_count) == (2, 2)
    key_path = parse_descriptor(
        f"tr({PUB[2:]},multi_a(1,669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))"
    )
    assert key_path.policy.threshold == 1  # the internal key alone can spend
    assert parse_descriptor("raw(deadbeef)").policy.threshold is None


def test_addresses_of_bip_vectors() -> None:
    assert parse_descriptor("addr(3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j)").expand().address == (
        "3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j"
    )
    d = parse_descriptor(f"wpkh({PUB})")
    assert d.expand().address == "bc1qngw83fg8dz0k749cg7k3emc7v98wy0c74dlrkd"
    testnet = d.expand(net="testnet").address
    assert testnet is not None and testnet.startswith("tb1q")
    assert address_to_script(testnet)[0] == d.expand().script_pubkey
    with pytest.raises(DescriptorError, match="mainnet keys"):
        parse_descriptor(f"wpkh({XPUB_A}/0)").expand(net="testnet")
