from tortoise import BaseDBAsyncClient

RUN_IN_TRANSACTION = True


async def upgrade(db: BaseDBAsyncClient) -> str:
    return """
        CREATE TABLE IF NOT EXISTS "snapshots" (
    "id" UUID NOT NULL PRIMARY KEY,
    "user_id" UUID,
    "source" VARCHAR(16) NOT NULL,
    "cluster_name" VARCHAR(63) NOT NULL,
    "taken_at" TIMESTAMPTZ NOT NULL,
    "kubernetes_version" VARCHAR(64),
    "object_counts" JSONB NOT NULL,
    "secret_count" INT NOT NULL,
    "size" BIGINT NOT NULL,
    "stored_size" BIGINT NOT NULL,
    "sha256" VARCHAR(64) NOT NULL,
    "pinned" BOOL NOT NULL,
    "created_at" TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS "idx_snapshots_user_id_7daf54" ON "snapshots" ("user_id");
CREATE INDEX IF NOT EXISTS "idx_snapshots_sha256_7bf73a" ON "snapshots" ("sha256");
CREATE INDEX IF NOT EXISTS "idx_snapshots_created_fc1d39" ON "snapshots" ("created_at");
CREATE INDEX IF NOT EXISTS "idx_snapshots_cluster_4900b6" ON "snapshots" ("cluster_name", "taken_at");
COMMENT ON COLUMN "snapshots"."source" IS 'UPLOAD: UPLOAD\nCLUSTER: CLUSTER';
COMMENT ON TABLE "snapshots" IS 'One snapshot of a cluster. Its document is the blob named by `sha256` (content';"""


async def downgrade(db: BaseDBAsyncClient) -> str:
    return """
        DROP TABLE IF EXISTS "snapshots";"""


MODELS_STATE = (
    "eJztXW1z4ji2/isqvkx3FdvVoZNM38ytW0USMsNMAikg87LDltfYInhjSx7ZDs3u9n+/kl"
    "/AL7JjOYYYt740xNaR6efI0jnPOTr6T8fCOjSdD33PXc1WBLuuCTsX4D8dpFrsC/d+F3RU"
    "297dZRdcdeFLdlTaUnHjTReOS1TNpTeXqulAekmHjkYM2zUwYiI3qmFC/W8mfjQQ0LCHXE"
    "jAEhOAEQRPcAPeqQiomn/nOwdAi7YH9LYKNNOAyAWqrhPoOO8/sOfpWKMPNNBj/V17yPjL"
    "g4qLH6G7goQ+4M9/0MsG0uEX6ER/2k/K0oCmnsCRPov14N9Q3I3tX7xaqeTGb8p+90LRsO"
    "lZKNbc3rgrjLbt6f+LXX2ECBLVhXoMUuSZZqiC6FLwa+kFl3hw+zP13QUdLlXPZIph0sFP"
    "2F3rKMpoPFOmg5midDJKiyRiYIeXNIyYwg3kOj4ClvpFMSF6dFf0z08fP34NHrRDImjGnv"
    "hrf3L1U3/yjrZ6zx6J6bgJRtUovNUL7n31O1FdNejGh36H9ZIq0aNaywI+RC4f77hICnT6"
    "H6kCenRhh/pu9EcQf9wX5o/sF/ytd3L6/ennT+enn2kT/1dur3xfoIXhaOYDvAN0Tf8TeK"
    "04rkrcLKjXFBXXsCAf2bRsCl09FP4QfdkX1nsc4gVYzoZ3g+msf3fPurcc5y/TR6w/G7A7"
    "Pf/qJnX13Xlq8G87Ab8NZz8B9if4+3g08OHEjvtI/Cfu2s3+3mG/iU7FWEEUfDqJxTCJLk"
    "eXvrJJa/kUe5XYhYWqPa1VoiuZO7iH89pmb1k9K31FReqjrySGJvud4RozpKCqSOOuP9t7"
    "hWuPEbZyyq07sxUExEOI6hY4hg4BXtKJ3/EW21YXYE3neQgMFxgOsE1VgzpQkQ5WeB1e1D"
    "EVzy48Nff9ipXH0LOv7MPD8Jr/ugatUy+p5xn6Byazn9Wn879LD2kME+A/if1z+n+dw7+t"
    "weITvH7xF8v/rxevOXHNKmKQc0QPi//bTI0vgh0DF5JnQ4OiuCak6oQ0u94cH6YehUcQ0J"
    "iIRDOJJqKLkSCaMZFXoBlC1Sow6SLuehzrnblLA+RZPp5xiyD52m+l6/GeSiDauR+Mroej"
    "HwWXrEjsAoRf5uh+Mv51OB2OR8Hl2F9zNHkYBZfDL3N00x/eDq4vQPA5R9PZ+P6eXQi/pK"
    "2SMh7ayXkJB+0kbaLu/DN2K6lOAlWH/n+56uS/GjuJSip8+Z04qHuQwvdj77QMwrRZPsb+"
    "zSTKOnSpDyuC8k6ifSj3Pp5+LoEya5aLcnAztWoSIYjD5u3Dt0YeJ7aI0k/HVoM5vSzECa"
    "F9zfhviPT5pxJAn3/KxZndSsKs2V4W4BsTqzncWNg+he2SCRwhugVoXo8fLm8HdNUdXPmr"
    "bpKd8W+yS/SC4foYTAb92xS4FrQw4VC9l8ZjLvm4kzkc9bjP8Ruwj//T63369H3v46fzz2"
    "en339/9vnjlobM3iriIy+HPzJKMjG+sxyl49K7j5ypowj5mJCEvjL0PndlQcThhn+ejkd8"
    "6BNCaVLY0FzwX2Aazt6UEOOcFp5hugZyPrDHvgXtxEBK8MPR7P3urv97emK/uh1fpn0o1s"
    "FlhjPRCHQ5XlS+SmIiUiG1KyRgeBVVOIKSEKwhfNIww/LYoycJ04p6rm4lJSclWxgkY069"
    "PkbmJhyBR6L28GUp1Lpn6xW1npSUWm+K1jkvu//rGxIp/RkbaIafIOpwQqW7m92iWOm/aD"
    "PFZe1KRkv7QDM9h+XPMFHgiwKWPaNbBjKYNDWmwUpFukNvAvrL6Rj4ATgrvEYAI412ycxt"
    "qNM2zgrq2ZjpXp4gI6eNYPfzI6f+ZwbnYsKnpVzPSSlW7aSAVTvJsmr+a6SwN0IE5aRU6/"
    "LQzstw8Of5DPx5hn+3CVwaX0Qg3km0cSjXHkaCX2yDzioVrKykpPSgmmNUZW1pNog8Ryh3"
    "My5SicVrmDrrzt4UhPNVULY6DZbAZ7oqVvHzkpJyBmryDCQ5nPwX6ji9+TIcTqS7BSd2l+"
    "/zJaX2msbVlPf5BU+vIQzJLdQfIekHG3s6HJYk2aBbxJSYflMl3CVUmi1Zq6YJXfAOrxHU"
    "wWIDVMASKIGLdXXTpX+5ULWASccEeR9sObLpH0tMrGhDEo8hqaHXOZojlp5uGY90RDLugL"
    "4mDm159dPg6hfgrlQXPEFos0vB475zgKZqK/ZA1WRJd4A2YZ0v8DOcI8tAngMMl7YiUDdc"
    "YBqW4dJBTR/C3P6FyhBCmMrQuQNgjwCNwtwF1AFi1gbjeGhHRCfq0pWkTVNe5W4BaSO3sw"
    "Vebq8UYdMrIGx6GcLmif7P+OC+nPwayTaZUej81r+9HcwuQPA5R5PBr4PRw+AChF/YlZuH"
    "0fWUXfG/zNF9/4+7wWimXN0O+pMgOTZ1xU+evRvPhuNR/1a5mgyuhzM/hTZ1LT2plkonLE"
    "MXFSRsZtM12fxNAv1UVHWyhwanGHYepoPJBWD/VsG+fiYpQE5soYjLyHT9pOnsEQKRJrQg"
    "xGWaPFdVTY8tkxybnxqbHrCh1ZUFuCi3LSbUIlbswKltgUGr+AatGPxpydbQaYfXgKRjvg"
    "k6RoA6iIXd6HMpRhyC+zKUvPllAk3fz+UMgwQbcB/0dYQj4Ws09qOrnVjCyn45lgi0XI4l"
    "huqLHEtcmy9zLGMEgQkfg631tC1yVC3YWc+SRixGdoB3CD5DAv4NCX7PeA6os9QRVv0lok"
    "PAyG8RpmJlOZe9PUWSHI0wZPNJjkC5Ysv+TkZuKKi85oemq6IuXUgqWb07UWn7fhuW10FJ"
    "wHYZXnGlh+uVIDuSlNpvcYgjCYQlUvB2VoMgsFlJCS4vysjFOgv0DSbQeES/wE2GWy1yDG"
    "bJPo8T5oxzQC8Tdb21LjljjX6hKMBos+t0NhlezTq8+aI2qGMR2ZbCnJwrcyB+y6h5fLTn"
    "enWpV+JFzy42uAS8Ows/+3tEmfNlUXdqQyFdYxZ6tujwApG7CBzPslilNep0MR+slE9XY9"
    "/Sk2vAmtAt8OQMHVo2dlnEQREMXXNEWxfG7pXad9Ar2HfQ4+w7eEVs81VRzcM4C53Z+F55"
    "uL8AweccMSB+HFyA4DOKYUch7DnqX//8MJ2xkPUF2H1vRkRUhvD2HcIjcAkZXLAg5p+XO5"
    "yWbCPavTJw9/Lx7uUDzltiy8DNXWzbAHb9m5+oIYdFMyriMjJz9o1L5lUasJ19GYHJ4XpW"
    "yjo5K7BOzrLWiSQ3vxFyU0aVjyuqPKIfg2fIz9rf3ewWcQ5+aV3I2pXO1idQw4TFbVdQNd"
    "1VEOg1fK/XD/yyLnn5+KXlauYIimJg3DWVE/gKX5nmOqkHDHsV1Cd4q9LODVsX6rFslgRb"
    "yusKPKe6aHLmc7bAc/9qNvx1cAGCzzli0pNB//qPC7D9OkfDUdQu+jZHd306Vgej/uiKXo"
    "790QwGga66r9NqooMmO13fkFKPww05mN98dlKGpaCt8h2RkwxPcVyOSFN86SZ5HhEmTT1X"
    "iRnNU9Wy+Sf7xe6+bFM7fkOBAB5R18CFJrSgSzYgEP8BvEP+9k8H/vWeHXMUjDfgYGovE2"
    "ib6iao4+WwPaMrP/a2NjSO+b2XJ3AM9T/jFh3ts/OPlOmeaEAHL739p/8pbXpp0x/pFCt0"
    "PtNfYqM5FJApspWTM3mVnYsQ55Z1loCXB1yzPcWGROOWOS8+PSEuJ09RKH+KAqvqJbhMpg"
    "TleK883nXDeaqggISYhL8y/HRe0E+EJpqthJxiykwxDK4zYYDPJMAiAJ+II3wiIS6EuHGk"
    "wgSbpmd3CqmFsE23JMGgEL99SZ4heIQDsKmzQlgrFfmVpxgxQKBL7S4WjAuOIe8C9RmyE3"
    "90QG0ysPC0J8gps1VLjy/xCEHTDJUgGQPJGBzplCbAGISDX2hA72SkXVnZrlwbusspBJ8L"
    "+rZ9mzCvrSJwjA8viWdMQiIqaZa3NdFjoCmWyjm8oBzgkawEXXJbR7EISm5Lclttm2IaxA"
    "vkHk22u9l9kQkQOZqMVbNeQJVQB5yV3WMOumqy/FtWgYn19p0TnBb2Q1CBmpWqnv7U/1vv"
    "7JxlBzxBm0MC1NWp3BzcCN8z37WXB2QdZI+YTHTLh75dW27kmTmvnMyapOTc7Ma4liU7us"
    "+SRgwqjrksWmDnN0yeIBmFnR0nsC9W14kNq0Rpnav+9Kp/PXiryjr36obVmsnd2Ja4X2gc"
    "20FLwe1tNsHPhg4JtVl9wS47OoZZrIbeBWtiuC5EwAjCXLFSPcFhMPQ71KmRC9ihLioKes"
    "jYy/t4yBw5kMos4JKV5DGcXfruu+Bsm90TmYluGs+QbN5TcR1oKxU97hJ880NyUR+sgf9Q"
    "NnxeFZWTJnrdJnpcR2UN9LhMCzej1F8xYzv4BUCOy7QQ5N7ZWQmUaav8wkjsXtnCSDmeZn"
    "vLvuzpwGtb8WzRQptxIXnASwJQ7LkaFjukPSbSwmG7l3ppBGqQ2i/VXOWEqGRImuI811CU"
    "ZJ9eyQQu6f9jlcvXJ+4XeiUkaCnE2rPde9hW2ca8UBz44gV8OphgNziykpr3BnJAcLAlfY"
    "JlmBv+BsH6HyEZ/UYsUPnuQqArQQsgISTLdqRtKhkjOUCMBH6xDaqECiZAUrKFFsCRrPil"
    "6HKWQ1JBxzExGQ5psn5l0Otb0LIMaOevk+1y11JzN1H8vB8RSygp1eCSZZWJ0jLFp2irAq"
    "I0U37KsJleqOpyiorlOE0JqfZBfVqGkj7NZ6RPM4S0PzjFnKWYiIzeF0fvGVRZaIWj9w9h"
    "N8cJ6Ytx+9iAalLcfgrJs6HBDocci251i3gxJ2hUjhHLB1UyTg14x7sFjJP/KbBIRe1bx4"
    "nsJaLnmN6jCLpR+9ahe17mVJLz/GNJzjPnksR/VgbhGfyStxUmKdaCMweKXJTB77OEdxIB"
    "+u6u//v7hIdyOx79GDWPKeDqdnyZToemwDxiInbkTkymwUcjVRzcZ+WOeSg45SE9uJ8hcb"
    "gDOx/imEgLA9f1Q/y6os/7r/ictTaC0suC00gnXeKZV8z5esB2bfVng+sLsPveqbKK1l7K"
    "2cLIXZkbxSahzVp+22NGVG59rLz10YWWbVKQshr4eToe5UTRYjJprtDQXPBfYBrOMaqgAE"
    "2GRvGSm15dUzY76yC95NJb2CMar15DPvoJoVfB3zBW6dDoS7o8fy5qMV0eHJNbJdqZkJRa"
    "b4rWObGx7aFQDchpmyLVdlaYu8tme69byNmFrQTS2CKR4MwnzfQcF5IPYOg6gI4Dzz9m2n"
    "D8jS8LEy8A+1062x3zT2el9s7O/wne0cHh8rbV1Nv9HIWxEahfAMPf1K6p5rYXB1ABAv0t"
    "7qynLlivDG0F2MYah303IduCg9f+IxxguO9LZsT92Ql/thJRX67KkoNUV7BIvuQu6+Yu3y"
    "z808Zc+cBYrOwPb6WbTD50Hu5vx33q5Aafc3R1+zCdDSYXIPzSDJc3PeGUZtlSck1WRWN4"
    "5O1sLmjlxeVaaOMdr02XNeWfvAUkCLrQUSoQq3zp9qVn1J8UjBf/gppLofQQ79SPfOoiIy"
    "jZo1fwFw7UCAzRzGqh4KibpNjhyNOP+xrvdRdRNf4tyEhHEpKIrkxE+8ef6UoF7JOCUgXV"
    "VeD75iJr6E6ifdHf+tdN20CIW+ITYxOqiA/xTigF8YJK7Wtob68cdpm8HI9vE8vk5TCduP"
    "BwdzmgbpeP+q7kJKds81GR+wcd5cfJ8jZ85/LUW8S1kWV64/e7hWxvrKVM05RUZxrqg2W6"
    "HyHXGSQ3CwKalJKYpjD1Fjq2aKdCdmFcSCa9vkhWHl/S2v1gdD0c/Sg420ZiFyD8MkfpPL"
    "b7/nSmXD/QK9G3OZo+TFl7lsa2/TpHV/3R1eD2ll3dfp2jwe/3wwm7Fn5pCPXvEcIKk9mQ"
    "GJg6q65KxA3TnD4kS91oljqlNog4i5OQ4sMe2ueZtEnrED2LMONh88Pz4TEjeuEZpmsg5w"
    "N77FvY0fvJ8mNLpmlWowJSsrL8QZNfuUBbVFWFU20h2ZbXhaTeBKg3x3Nsiht9axZCm4nS"
    "cu0Lxe7BrjwqmlNms1bnOWUOc5u13vQc5hgnnXtkQLZRtyzPLXR4AEtADorpB+nH8Y6+cw"
    "BjQ6jU2nBXYL3a+LX31yv8Q7rgP+NkF6oD0wRB3f3PUeZoAUt9gkF2dPCcLnCw/+fKYNHs"
    "DUAUDwJ0w1Hp+GGJzuxh/onfeF06vzkBcEBuRgcJyPO8G3eeN0dbpQnsrKisgZMylJYEW8"
    "rraNZUFw02T79ZmpUunq/TcaKDJudZf7MqpvadI5bou5NoskIrupRnpcrbnBWUtznLlreh"
    "tgoWDUvHZfa6BecIFx9xP621/tnx+mONSjeaYfvB7nCcsOBGoeMVnCxT0tm6wwhu2B5Pj3"
    "omFnVKHNXQmSuyoU6JaQJb3VCHp0uvEOw9rmJHoP3gn1JsBIeoabRrdoIBRkuDWNlzEfb3"
    "GJkC1YjJMN/xwWuKSgBYRaMt2UOTF/nOw5TtSmT/NsOaCqATG+hxGZktdTyVa48PTdXi72"
    "0qYqV2MnInSOWdIEHGiSZWCzAm0+Q5uKKjVSbnLz/lL5PxJw8QzSJc+wGi33Ba5dV4dDOc"
    "3PmUTvR1jm76Q5/lCT6bS/EsIZtKhIokJIRal3Jc/7thsKd52naXSRLn/EK7ablWTERFrM"
    "Q+au1GM7lCR22VFSCSqyUG0aBhvpfjjRk9QFjdAY+YYjNKUq7BAZ+qcH88/VwGb9qs4OBY"
    "djMVhtkFvEVPPc5ISi45ZZoH3FZOdl0+smk5iWserhVy6VKyMk+4abT98eZMyq3hx7413D"
    "8oiROqiQ5Qyo/UMGpQbgFvefzjbU/qaZQ9upezeqClGkJ2/1agdSxC76xMTRvaqsC9yla1"
    "UR1njekkKXoYd0awhSN6Pw4tNivHSiPZw1Ga22BnpTDpHPWv74aj4XQ26c/G9GLiz2bwlY"
    "ajMJf1mVe4rGi3WUJub1vMMhqJLhzvBjPosHKd+UU/C2ofZiQPFyU82deMU3P5Q1N1XMXE"
    "j0aV8rkZYekLS19Y+sJv7gvL7YNt1noN2wcT4Vf61JXi4ifIiw1ehvI3v0ygqeacuBlyHJ"
    "Ogrxnr6giHw9foBUgdFv11n3zRb5g8QTKif3Q4rFHsbreIO1r77ehg0A9w2POfqeVAeJ+h"
    "pJXaRSs1ivQok7pFWxW44Jn0rRVVhijCcZlWUh17wNmwlfB8KBGkk1ItxPq0DKt0mk8qnW"
    "Y4Jc32KICEdxRlrjedkGlTtm1trjRDSCXaynCh5npE7NQfjmwLh3L9mW0udlVTsaDFPcy8"
    "KHc8LdmmMX3oc4V9KFk1C2rkVtFCTFSqobIaqk4+cuKpMPFgm6FBf4HibBwXWiKA82RbCP"
    "pJr0zCIW2VH37pZdINv+E0/3TNByY9GfSv/7gA269zNBxF7aJvc3TXp7PFYMTKPVyA2B/N"
    "CKkFSlHEiz1kBNuXtXt2Umbmoq3ySz6c5GyVUYJ6VFWoYW4HMvjTHEI4Gwcw/PdE5xnJL4"
    "Stt2KyMKpA3JoC52grqHsBDsKop4RlxkBp5Nn8aWNdhNyIixwwR+DkWA5J3BalF4M1LSZP"
    "n8y4bKaJNT+WotleFtkbE6t5W9/Tkilwl0z02OAtwO56/HB5OwD3k8HVcDoMa8dvV1j/Zn"
    "JioObwbS7aVQgjnnRrRvShqYotlpVYI6641EU1XVAjE5LnClNQWlDOQC/OQFvIqkxAHGE5"
    "5l855itNPzxpqYlXakLQtszItUYBNeb2LsJEoSSm+ScT7STk4UQJb7SOw4noREF9IXGlpO"
    "WkampXjRs8WUApO4lmqIM9rzXqePLoWIdu/p6P/JAAR7R9QYH6T6unj2MjmhWb8VBE1pdO"
    "XuEJtw/1vYQznyBB0Kw00jOSEvJSkGNHMSyuzV8QsY/JSJhLwexvDltBlbgLWHFrWUJahh"
    "ebHF6M9GW6K0VbQe2pqsITHUidN1nnLGnVhkSDvLK9BbxhSq4ibXg8iq2DOAwoP8VzoODB"
    "XSnBSixJw6B+G6JKN5ynCvgnxCT6VdGnk4J+IjTLbCXk/FJifmFonQnjeybxFcD3RBzgE4"
    "lwWYTp03Qjp8JxPo+XlJJc3p5Y7wr8RkawfX53/bsSfC/KgX+J2ShxqdaE0Q5soLC99xRD"
    "jUBXuDgaT7Z9o30PrPVRFbQ5LPTHWdtEVrT5FrXOYZuqV7Spo5INq7giy9gIlLHpQ2Joqw"
    "6nhE14p1tUvkbdtWlM7eNcY4lbo4ZjJoVTWdFIedvCKbVkG+XXpKlg8r/W2G/aq3iA8rDs"
    "pRJAOGzeQnT3Uk6aZTZwoxuFhILLD2wcgE14G/amNt5AYL2vfzH7+v8zYWJk"
)
