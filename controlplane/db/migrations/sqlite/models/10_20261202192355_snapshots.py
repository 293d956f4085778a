from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "snapshots" (
    "id" CHAR(36) NOT NULL PRIMARY KEY,
    "user_id" CHAR(36),
    "source" VARCHAR(16) NOT NULL /* UPLOAD: UPLOAD\nCLUSTER: CLUSTER */,
    "cluster_name" VARCHAR(63) NOT NULL,
    "taken_at" TIMESTAMP NOT NULL,
    "kubernetes_version" VARCHAR(64),
    "object_counts" JSON NOT NULL,
    "secret_count" INT NOT NULL,
    "size" BIGINT NOT NULL,
    "stored_size" BIGINT NOT NULL,
    "sha256" VARCHAR(64) NOT NULL,
    "pinned" INT NOT NULL,
    "created_at" TIMESTAMP NOT NULL
) /* One snapshot of a cluster. Its document is the blob named by `sha256` (content */;
CREATE INDEX IF NOT EXISTS "idx_snapshots_user_id_7daf54" ON "snapshots" ("user_id");
CREATE INDEX IF NOT EXISTS "idx_snapshots_sha256_7bf73a" ON "snapshots" ("sha256");
CREATE INDEX IF NOT EXISTS "idx_snapshots_created_fc1d39" ON "snapshots" ("created_at");
CREATE INDEX IF NOT EXISTS "idx_snapshots_cluster_4900b6" ON "snapshots" ("cluster_name", "taken_at");"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "snapshots";"""


MODELS_STATE = (
    "eJztXWtz4jjW/isqvky6iulq6E6638zWVpGEzDCTQArIXLbZ8hpbgDe2TMty6Oxu//dX8g"
    "V8kR3LMcS49aUhso5NP0eWznnO0dF/W5atQ9N523PJarrCNiEmbJ2D/7aQarEv3Ott0FLX"
    "691V1kDUuSfZUmlPhUS7zh2CVY3QiwvVdCBt0qGjYWNNDBsxkWvVMKH+o2kvDQQ020UEYr"
    "CwMbARBA/wCZyoCKiad+UHB0CL9gf0sgo004CIAFXXMXScN2/Z83Rbow800LL6W7vI+OJC"
    "hdhLSFYQ0wd8/idtNpAOv0In/HP9oCwMaOoxHOmz2B28Cwp5WnuNlysVX3td2e+eK5ptuh"
    "aKdF8/kZWNtv3p/4u1LiGCWCVQj0CKXNMMVBA2+b+WNhDswu3P1HcNOlyorskUw6T9n7Br"
    "aynKcDRVJv2porRSSgslImAHTZqNmMINRBwPAUv9qpgQLcmK/vn+3btv/oN2SPjd2BN/74"
    "0vf+mNT2ivN+yRNh03/qgaBpe6/rVv3k1Uovq38aDfYb2gSnSp1tKADxDh4x0VSYBO/yNl"
    "QA8bdqjvRn8I8bt9Yb5kv+DHbufDxw+f3p99+ES7eL9y2/IxRwuD4dQDeAfohv4n7I3iEB"
    "WTNKhXFBViWJCPbFI2ga4eCL8Nv+wL6z0O8Rwsp4Pb/mTau71jt7cc54vpIdab9tmVrtf6"
    "lGg9OUsM/u1NwB+D6S+A/Qn+MRr2PThthyyx98Rdv+k/Wuw30anYVhAFn05iEUzC5rDpG5"
    "u0Fg+RV4k1zFXtYaNiXUldsbt2Vt/0JatrJVtUpC49JTE02e8M1pgBBVVFGnf92V7LXXuM"
    "oJdTbN2ZriDALkJUt8AxdAjsBZ34HXe+7XUONnSeh8AgwHDA2lQ1qAMV6WBlb4JG3abi6Y"
    "Wn4nu/YOUx9PQre38/uOK/rn7vxEvquob+lsnsZ/Vp/W3hIo1hArwnsX8+/L11+LfVX3z8"
    "1y/6Ynn/9fw1J6pZRQxyjuhh8X+dqfFZsCPgQvxoaFAU15hUlZCm15vjw9Sl8AgCGhGRaM"
    "bRRHQxEkQzIvICNAOoGgUmXcSJy7HembvUR67l4Rm1COKv/Va6Gu+pAKKtu/7wajD8WXDJ"
    "CsXOQfBlhu7Go98Hk8Fo6DdH/pqh8f3Qbw6+zNB1b3DTvzoH/ucMTaajuzvWEHxJWiVFPL"
    "TOWQEHrZM0UXf+GbsUVyeGqkP/v1x18l+NnUQpFT7/ThzUPUjg+677oQjCtFs2xt7FOMo6"
    "JNSHFUF5J9E8lLvvPnwqgDLrlomyfzGxamIhiIPuzcO3Qh4nsojST2et+nN6UYhjQvua8V"
    "8R6bP3BYA+e5+JM7sUh1lbu2mAr01bzeDGgv4JbBdM4AjRzUHzanR/cdOnq27/0lt14+yM"
    "d5E10QaDeBiM+72bBLgWtGzMoXovjGUm+biTORz1uM/x67OP/9ftvn//sfvu/dmn0w8fP5"
    "5+erelIdOX8vjIi8HPjJKMje80R+kQenXJmTrykI8ISehLQ+9xVxZEHG7418loyIc+JpQk"
    "hQ2NgP8B03D2poQI5zR3DZMYyHnLHvsatBMDKcYPh7P3yW3vz+TEfnkzukj6UOwGFynORM"
    "OQcLyobJVERKRCKleIz/AqqnAEJSZYQfikZoblsUdPYqYV9VxJKSXHJRsYJGNOvT5C5lMw"
    "Ao9E7cHLkqt1d62X1HpcUmq9LlrnvOzer69JpPRX20BT+wGiFidUurvYzouV/pt2UwjrVz"
    "Ba2gOa6Tosf4aJAk8UsOwZ3TKQwaSpMQ1WKtIdehHQX07HwE/AWdkbBGyk0VsycxvqtI+z"
    "gno6ZrqXJ8jIaS3Y/ezIqfeZwjmf8Gko19MpxKp1cli1TppV814jhb0RIijHpRqXh3ZWhI"
    "M/y2bgz1L8+xrDhfFVBOKdRBOHcuVhJPh1bdBZpYSVFZeUHlR9jKq0Lc0GkesI5W5GRUqx"
    "eDVTZ9XZm4JwvgjKRqfBYvhIV8Uyfl5cUs5AdZ6BJIeT/UIdpzdfhMMJdTfnxO6yfb641F"
    "7TuOryPj/j6dWEIbmB+hLinr+xp8VhSeId2nlMiel1VYJdQoXZko1qmpCAE3uDoA7mT0AF"
    "LIESEFtXn9r0LwJVC5h0TOA3/pajNf1jYWMr3JDEY0gquOsMzRBLT7eMJR2RjDugr4lDe1"
    "7+0r/8DZCVSsADhGvW5D/uBwdoqrZiD1RNlnQHaBd287n9CGfIMpDrAIPQXhjqBgGmYRmE"
    "Dmr6EOb2z1WGELKpDJ07gO1ioFGY24A6QMzaYBwPvRHWsbogkrSpy6vcziFt5HY238vtFi"
    "JsujmETTdF2DzQ/xkf3OeTX0PZOjMKrT96Nzf96TnwP2do3P+9P7zvn4PgC2u5vh9eTViL"
    "92WG7np/3faHU+Xypt8b+8mxiRYvefZ2NB2Mhr0b5XLcvxpMvRTaRFtyUi2UTliELspJ2E"
    "yna7L5G/v6Kanq+B1qnGLYup/0x+eA/VsG++qZJB85sYUiKiPT9eOms4sxRJrQghCVqfNc"
    "VTY9tkhybHZqbHLABlZXGuC83LaIUINYsQOntvkGreIZtGLwJyUbQ6cdXgOSjvku6BgB6i"
    "ASdqPPpRhxCO6LQPL6tzE0PT+XMwxibMCdf68jHAnfwrEftrYiCSv75VhC0DI5lgiqz3Is"
    "UW0+z7GMEAQmXPpb62lf5Kiav7OeJY1YjOwAJwg+Qgz+A7H9hvEcUGepI6z6S0iHgKHXI0"
    "jFSnMue3uKJDlqYchmkxy+csWW/Z2M3FBQes0PTFdFXRCIS1m9O1Fp+34fltdBScBmGV5R"
    "pQfrlSA7Epfab3GIIwmExVLwdlaDILBpSQkuL8rIxToN9LWNobFEv8GnFLea5xhM4/c8Tp"
    "hTzgFtxupma11yxhr9QlGA4WbXyXQ8uJy2ePNFZVBHIrINhTk+V2ZA/JpR8+hoz/TqEq/E"
    "s55dZHAJeHeW/ejtEWXOl0XdqScK6cZmoWeLDi8QuovAcS2LVVqjThfzwQr5dBXeW3pyNV"
    "gT2jmenKFDa20TFnFQBEPXHNHGhbG7hfYddHP2HXQ5+w5eENt8UVTzMM5Cazq6U+7vzoH/"
    "OUMMiJ/758D/DGPYYQh7hnpXv95PpixkfQ523+sREZUhvH2H8DBcQAYXzIn5Z+UOJyWbiH"
    "a3CNzdbLy72YDzltgicHMX2yaAXf3mJ2rI2aIZFVEZmTn7yiXzSg3Y1r6MwPhwPS1knZzm"
    "WCenaetEkpvfCbkpo8rHFVUe0o/+I+Rn7e8utvM4B6+0LmT9CmfrY6jZmMVtV1A1ycoP9B"
    "qe1+sFftktefn4heUq5gjyYmDcNZUT+Apemfo6qQcMe+XUJ3it0s41WxeqsWwW2LaUlxV4"
    "TtyizpnP6QLPvcvp4Pf+OfA/Z4hJj/u9q7/OwfbrDA2GYb/w2wzd9uhY7Q97w0vaHPmjHg"
    "wCXXVfptXYDersdH1HSj0ON+RgfvNppwhLQXtlOyKdFE9xXI5IXXzpOnkeISZ1PVeJGc0T"
    "1VrzT/aLXH3epna8jgIBPKxuAIEmtCDBT8AX/wmcIG/7pwO/vGHHHPnjDTg2tZcxXJvqk1"
    "/Hy2F7Rlde7G1jaBzzey9P4Bjqn6MWHb1n658J0z3WgQ5eevmz9yltemnTH+kUK3Q+0xex"
    "0RwIyBTZ0smZvMrOeYhzyzpLwIsDrq1dZQ2xxi1znn96QlROnqJQ/BQFVtVLcJlMCMrxXn"
    "q864bzUEIBMTEJf2n46bygd4Qmmq2EnGKKTDEMrlNhgE8lwCIAd8QR7kiIcyGuHakwtk3T"
    "XbdyqYWgT7sgwaBgr39BnsF/hANsU2eFsFYq8ipPMWIAQ0LtLhaM848hbwP1EbITf3RAbT"
    "Iwd7UHyCmzVckdn+MR/K4pKkEyBpIxONIpTYAxCAa/0IDeyUi7srRduTF0wikEnwn6tn+T"
    "MK+sInCEDy+IZ0RCIippltc10SOgKZbKObygGOChrARdcltHsQhKbktyW02bYmrEC2QeTb"
    "a72H6WCRA5moxVs55DFVMHnJXdYw66arL8W1aBid3tB8c/LewnvwI1K1U9+aX3Y/f0jGUH"
    "PMA1hwSo6qZyc3AtfM9s114ekHWQPWIy0S0b+mZtuZFn5rxwMquTkjOzG6NaluzoPksaMa"
    "g45rJogZ0/bPwA8TC42XEC+2x1nciwipXWuexNLntX/deqrDOGC6ruVaZlHLueaxxjv6eQ"
    "fczyZO21ylJgA3H/cN0cyxWMbeIfDqOtKNwO8I+QoU+wDPOJn4pb/SOk7VyDmSnPdvZ1JT"
    "j1x4TkBjl5XO8reCM1Ok22pkttIwxTxtaW0HFETDoeddavdC+/By1L6ih7nWwudcTOtVQ8"
    "hl3EEopL1bg4QElTiHpQBWwh2iu7VuNpaqO3sWZ6oarL2L6f4TTFpJoH9YfTAkh/OM0Eml"
    "1KHcUuWiYtIiJ5snyejEFVAU92H9zmOCF9liGLDKg6MWQTiB8NDbY45Fh4qZ3Hizl+p2KM"
    "WDaoknGqwTvezmGcvE+BRSrs3zhOpFOoLGInpyxiJ10W0THdpQi6Yf/GoXtWpP7vWXYB4L"
    "NUBeDoz0ohPIVfs5LO4mINqO6Z56L0/5zGvJMQ0JPb3p9vYh7KzWj4c9g9ooDLm9FFMvGA"
    "ArO0sVhx64hMjYuQlxzcp8UKqubUU00O7keIHe7AzoY4ItLEWlGVQ/yy8mr7r62Wtjb8Im"
    "eC00grWUyNVzbtqs/yI3vT/tU52H1vlVlFKy+aZtmIrMwnZY0N0SObU6Iyybh0kjGB1tqk"
    "IKU18OtkNMyIokVkklyhoRHwP2AazjGqIAdNhkb+kptcXRM2O7tBcsmll2wXa7ydUdnox4"
    "ReBH/NWKVDoy/p8uy5qMF0uX8gVZloZ0xSar0uWufExrbl12uw1WOC1LWzsrmF2rfX2rmc"
    "XdBLII0tFPGrq2um6xCI34IBcQAdB653oJvheOUa5qY9B+x36WD+BP7lrNTu6dm/wAkdHC"
    "QID6VS2Kq7/QwFsRGonwPD2z6iqeb2Lg6gAhh6m0nYndpgszK0FV3hHqHDvpuQ1aq0N94j"
    "HGCQNwUz4j63gp+thNQXUVlykEoEy1FK7rJq7vLVwj/PG0THlyjnG4ul/eGtdJ3Jh9b93c"
    "2oR51c/3OGLm/uJ9P++BwEX+rh8iYnnMIsW0KuzqqoDY+8nc0FrbyoXANtvOO16dKm/IM7"
    "hxhBAh2lBLHKl25eekb1ScH2/N9QI4p3PrMQdZESlOzRC/gLB2oYBmimtZBTVDoudjjy9N"
    "2+xnvV5YqM/wgy0qGEJKJLE9HeQQO6UgL7uKBUQXkVeL65yBq6k2he9Lf6dXNtIMQtpmPb"
    "JlQRH+KdUALiOZXa19Dethx2mbwYjW5iy+TFIJm4cH970adul4f6rrgLp0DaUZH78uDSQx"
    "xculeW151HtZFmeqPX27lsb6SnTNOUVGcS6oNluh8h1+knNwsCGpeSmCYwdee6bdGbCtmF"
    "USGZ9PosWXl8SWvBoZ6Cs22BQ0HvepOpcnVPW8JvMzS5n7D+LI1t+3WGLtkJoDc3rHX7dY"
    "b6f94Nxqwt+FIT6t/FmJWAXUNs2Do7whWLG6YZ95Asda1Z6oTaIOIsTkKKD+7QPM+kSVqH"
    "6FGEGQ+6H54PjxjRc9cwiYGct+yxr2FH7yfLjy2ZplmOCkjIyvIHdX7lHNdZ07mRamsutI"
    "klKde8EOAe7JmjotdkFmV5fk3mzjZZ6zXPnZ3a63vumWn+hXYej0rstVL4cLRbG8Enlsrq"
    "OsS2IAaOaugsf/UJbAzTBGv1CRioTVuw7S5XtOca24+GDvFPXtlzgw5UYFNroQ1YoUYbLQ"
    "xspcs/7u8xkumtBW+WzfTaG4qKDxjXNnme5onfoc5JgK37CUu+ZP/Wg37xoRMb6FEZSQof"
    "T4Ge40NTtfgpXHlZLzsZmfBSOuHFJ9Y0sZIHEZk6z8ElXcUioY3syEYqsBGaLyIIR2WaiH"
    "C3CMTdbIy7Mnq0jR5djobXg/GtFwMKv9bD5MBwAdlEIbTTIybUuLhp9SPfYE9ztW2qTBzn"
    "7GpBSblGTDOHLhhEH40c1QNR0BZMS+51015dtCBgEgaufQaXnY1sUk7imoVrCeY6ISujQf"
    "UhLTlh96OKUMgE4GNPAPbK4XKY6rBMbjZRzZgRmejbcPr3deux1soB3ktFVmiphikC8Fag"
    "cW5W97TIziXaK6f0fXrvkuo4G5tOkqJHLqUEGziiu6dFSuDTXjmIp4rgY9ssHSoKZQ/H6G"
    "xjPaWiRDPUu7odDAeT6bg3HdHG2J/1IHQMR2Eu6yNve2reBr6Y3N728KU0EjYc7Q4+Bzqs"
    "KEN2aYecHe4pycMFSTr7mnEq3uRuqg5RTHtplCmSkhKWvrD0haUv/Oq+sEzWa7LWK0jWi8"
    "WnEgckJ2yaQP76tzE01YxzFTKOZT6y4fAtfAESRwJ92ydfFDlmnMMaxQ8hz+aONl4/hR3n"
    "vX8K6XNiOTB0WSrzu6aVakV6FMlcob1yXPBU9sqKKkMU4ahMI6mOPeD8aucq1hvr6g9W1N"
    "YuBRDzDhzI9KZjMk1KNqzMlWYIqVhbGQRqxMVitV05sg0cytWn/hCbqKZiQYt7ZFVe6mxS"
    "sklj+tCnx3hQsgp81Mgto4WIqFRDaTWUnXzkxFNi4rHXDA36CxTnySHQEgGcJ9tA0DvdT0"
    "WiL91P2eEXdk1mOWfUyGHS437v6q9zsP3KPwHutkdni/6Qlcc5B5E/6hFS85WiYKg6YrW7"
    "U4LN27N/2ikyc9Fe2WcjdjJ2CijaSkXLUtQw9wYy+FMfQjgdBzC890TnGcnPhK23YrLyrE"
    "DcmgLnaCuouz4OwqgnhGXGQGHk2fy5tnURciMqcsAcgc6xlMLflh4TgzUpJs8YSLlspmlr"
    "XixFW7tpZK9NW83a+ZuUTIC7YKLHBm8Odlej+4ubPmCnFw8mg6BC2HaF9S7GJwZqDt9kol"
    "2GMOJJN2ZEH5qq2GJZijXiiktdlNMFNTIhfiwxBSUF5Qz07Ay0hazMBMQRlmP+hWO+1PTD"
    "k5aaeKEmBG3LlFxjFFBhbu88SBSKY5pdf3YnIUvQxrzRKkrQ0omC+kLiSknKSdVUrhriP1"
    "lAKTuJeqiDPa8x6mBncpqQlD3OMyHavKBA9WeSsWPY6cMgVrCLQrK+cPIKT7h5qO8lnPnA"
    "Dp81S430lKSEvBDktqMYFtfmz4nYR2QkzIVg9jaHraCKyRyW3FoWk5bhxTqHF0N9mWSlaC"
    "uoPZRVeOwGUud11jlLWl1DrEFe1dIc3jAhV5I2PB7FVkEc+pSf4jqQd3JsDleVECzFktQM"
    "6tchqnTDeSiBf0xMol8WfTop6B2hWWYrIeeXAvMLQ+tUGN9Tia8Avh1xgDsS4aII06fpRk"
    "YJ2GweLy4lubw9sd4l+I2UYPP87up3JXhelAO/iNkoUanGhNEObKCwvfcUQw1DIlwcjSfb"
    "vNG+B9b6qAraHBb646xtIivafI9a57BN5SvaVFHJhlVckWVsBMrY9CA2tFWLU8ImuNLOK1"
    "+j7vrUpvZxprHErVHDMZOCqSxvpLxu4ZRKso2ya9KUMPlfauzX7VU8QHlY9lIJIBx0byC6"
    "eyknzTIbuNGNXEKB8AMbB2ATXoe9qYw3EFjvq1/Mvv0/nECHNA=="
)
